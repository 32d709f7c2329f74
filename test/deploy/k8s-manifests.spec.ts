/**
 * deploy/k8s: every YAML document of the kustomize base and of the example overlay is a valid
 * Kubernetes object of the installed schemas (kubernetes-models), has no field the API does not
 * define, and the objects agree with each other (probes, selectors, HPAs, PDBs, Services, Ingress,
 * ConfigMaps, Secrets, volumes) and with docker-compose.yml and the image's entrypoint.
 *
 * The overlay is rendered by the test itself (support/kustomize-render.ts: the kustomize subset our
 * kustomizations use, anything else throws); where `kubectl` is installed, its `kubectl kustomize`
 * output must be the same objects. The last block breaks copies of the manifests on purpose and
 * requires each check to say so: a check that cannot fail checks nothing.
 */
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { K8sObject, containersOf, deepClone, findObject, idOf, isK8sObject } from './support/k8s-object';
import { schemaProblems, modelClassFor } from './support/k8s-schema.validator';
import { UnknownFieldChecker } from './support/unknown-fields.checker';
import { referenceProblems } from './support/manifest-references.checks';
import { configVariableProblems, listeningPortProblems } from './support/app-config.checks';
import { composeApps } from './support/project-facts';
import { APPS, BASE_DIR, OVERLAY_DIR, RENDERINGS, knownObjects, referenceFacts, rendering } from './support/renderings';

const kindsOf = (objects: readonly K8sObject[]) => objects.map(({ apiVersion, kind }) => ({ apiVersion, kind }));

let unknownFields: UnknownFieldChecker;

beforeAll(() => {
  // One TypeScript program over the kubernetes-models declarations of every kind we use (~1-2 s).
  unknownFields = new UnknownFieldChecker(kindsOf([...knownObjects(rendering('base')), ...knownObjects(rendering('overlay'))]));
});

describe.each(RENDERINGS)('deploy/k8s %s', (_label, which) => {
  const objects = () => rendering(which).objects;

  it('has the objects of four apps: per app a Deployment, a PDB and an HPA; Services for the gateway and the playback-workers; one Ingress', () => {
    const names = (kind: string) => objects().filter((o) => o.kind === kind).map((o) => o.metadata.name).sort();
    expect(names('Deployment')).toEqual([...APPS].sort());
    expect(names('PodDisruptionBudget')).toEqual([...APPS].sort());
    expect(names('HorizontalPodAutoscaler')).toEqual([...APPS].sort());
    expect(names('Service')).toEqual(['call-gateway', 'playback-worker']);
    expect(names('Ingress')).toHaveLength(1);
    expect(names('ConfigMap')).toEqual(['voice-agent-agents', 'voice-agent-config']);
  });

  it('validates every object against the Kubernetes schema of its apiVersion and kind', () => {
    expect(objects().length).toBeGreaterThan(10);
    expect(objects().flatMap(schemaProblems)).toEqual([]);
  });

  it('has no field the Kubernetes API does not define', () => {
    expect(objects().flatMap((object) => unknownFields.problems(object))).toEqual([]);
  });

  it('cross-references hold: probe ports, selectors, HPA and PDB per app, Service and Ingress ports, ConfigMaps, Secrets, volumes, args, compose', () => {
    expect(referenceProblems(objects(), referenceFacts(rendering(which)))).toEqual([]);
  });

  it("every app starts with its pod's environment, knows every variable it is given, and listens where its probes point", () => {
    const known = knownObjects(rendering(which));
    expect(configVariableProblems(objects(), known)).toEqual([]);
    expect(listeningPortProblems(objects(), known)).toEqual([]);
  });
});

describe('deploy/k8s overlay example', () => {
  const overlay = () => rendering('overlay');
  const base = () => rendering('base');

  it('puts every namespaced object in its namespace, which enforces Pod Security "restricted"', () => {
    const namespace = overlay().objects.find((o) => o.kind === 'Namespace');
    expect(namespace?.metadata.name).toBe('voice-agent');
    expect(namespace?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const namespaced = overlay().objects.filter((o) => o.kind !== 'Namespace');
    expect(namespaced.filter((o) => o.metadata.namespace !== 'voice-agent').map(idOf)).toEqual([]);
  });

  it('runs one pinned image (not :latest) in every container', () => {
    const images = overlay()
      .objects.filter((o) => o.kind === 'Deployment')
      .flatMap((d) => containersOf(d as IDeployment & K8sObject).map((c) => c.image));
    expect(new Set(images)).toEqual(new Set(['registry.example.com/acme/voice-agent-backend:0.1.0']));
  });

  it('moves the public hostname everywhere at once: Ingress rule, TLS host and PUBLIC_URL', () => {
    const hostOf = (objects: readonly K8sObject[]) => {
      const ingress = objects.find((o) => o.kind === 'Ingress') as IIngress & K8sObject;
      const config = findObject(objects, 'ConfigMap', 'voice-agent-config') as IConfigMap & K8sObject;
      return { rule: ingress.spec?.rules?.[0]?.host, tls: ingress.spec?.tls?.[0]?.hosts?.[0], publicUrl: new URL(config.data?.PUBLIC_URL ?? '').host };
    };
    const patched = hostOf(overlay().objects);
    expect(patched).toEqual({ rule: 'voice.acme.example.net', tls: 'voice.acme.example.net', publicUrl: 'voice.acme.example.net' });
    expect(hostOf(base().objects).rule).not.toBe(patched.rule);
  });

  it('sets replica counts as the HPA bounds, not as Deployment replicas', () => {
    const bounds = Object.fromEntries(
      overlay()
        .objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')
        .map((o) => [o.metadata.name, [(o as IHorizontalPodAutoscaler & K8sObject).spec?.minReplicas, (o as IHorizontalPodAutoscaler & K8sObject).spec?.maxReplicas]]),
    );
    expect(bounds).toEqual({ 'call-gateway': [2, 4], 'llm-worker': [2, 6], 'tts-worker': [3, 12], 'playback-worker': [3, 12] });
    expect(overlay().objects.filter((o) => o.kind === 'Deployment' && (o as IDeployment & K8sObject).spec?.replicas !== undefined).map(idOf)).toEqual([]);
  });

  it("drops the base's placeholder Secret, so applying it never overwrites the real one", () => {
    expect(overlay().objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(overlay().deleted.map(idOf)).toEqual(['Secret/voice-agent-secrets']);
  });
});

const kubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('kubectl kustomize (when kubectl is installed)', () => {
  const rendered = (dir: string): Map<string, unknown> => {
    const output = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
    const objects = Array.from(parseAllDocuments(output)).map((d) => d.toJS() as unknown).filter(isK8sObject);
    return new Map(objects.map((o) => [`${o.apiVersion} ${idOf(o)}`, o]));
  };
  const ours = (which: 'base' | 'overlay') => new Map(rendering(which).objects.map((o) => [`${o.apiVersion} ${idOf(o)}`, JSON.parse(JSON.stringify(o)) as unknown]));

  (kubectl ? it : it.skip).each([
    ['base', BASE_DIR],
    ['overlay', OVERLAY_DIR],
  ] as const)('renders the %s exactly as the test does', (which, dir) => {
    expect(ours(which)).toEqual(rendered(dir));
  });
});

describe('the checks fail on broken manifests', () => {
  /** The base's problems after `breakIt` has changed a copy of its objects. */
  const problemsAfter = (breakIt: (objects: K8sObject[]) => void): string[] => {
    const objects = deepClone(rendering('base').objects);
    breakIt(objects);
    const known = [...objects, ...rendering('base').deleted];
    return [
      ...referenceProblems(objects, referenceFacts(rendering('base'))),
      ...configVariableProblems(objects, known),
      ...listeningPortProblems(objects, known),
    ];
  };
  const get = <T>(objects: K8sObject[], kind: string, name: string) => findObject(objects, kind, name) as T & K8sObject;
  const container = (objects: K8sObject[], app: string) => containersOf(get<IDeployment>(objects, 'Deployment', app))[0];

  it.each<[string, (objects: K8sObject[]) => void, string]>([
    ['a misspelled probe port name', (o) => void (container(o, 'tts-worker').readinessProbe!.httpGet!.port = 'helth'), 'readinessProbe uses port helth, which the container does not declare'],
    ['a probe on an undeclared port number', (o) => void (container(o, 'llm-worker').livenessProbe!.httpGet!.port = 3009), 'livenessProbe uses port 3009'],
    ['an app listening elsewhere than its probes', (o) => void (container(o, 'call-gateway').env!.find((v) => v.name === 'GATEWAY_PORT')!.value = '3005'), 'listens on GATEWAY_PORT=3005 but its readiness probe hits 3000'],
    ['an HPA aimed at a misspelled Deployment', (o) => void (get<IHorizontalPodAutoscaler>(o, 'HorizontalPodAutoscaler', 'llm-worker').spec!.scaleTargetRef.name = 'llm-workers'), 'Deployment/llm-worker: 0 HorizontalPodAutoscalers target it'],
    ['a PDB selector that misses its pods', (o) => void (get<IPodDisruptionBudget>(o, 'PodDisruptionBudget', 'playback-worker').spec!.selector!.matchLabels!['app.kubernetes.io/name'] = 'playback'), 'selects the pods of 0 Deployments, not 1'],
    ['a Deployment selector that misses its pod template', (o) => void (get<IDeployment>(o, 'Deployment', 'tts-worker').spec!.selector.matchLabels!['app.kubernetes.io/name'] = 'tts'), "Deployment/tts-worker: selector does not match its pod template's labels"],
    ['a Service targetPort no container declares', (o) => void (get<IService>(o, 'Service', 'call-gateway').spec!.ports![0].targetPort = 'web'), 'targets web, which no selected container declares'],
    ['an Ingress backend naming a missing Service', (o) => void (get<IIngress>(o, 'Ingress', 'voice-agent').spec!.rules![0].http!.paths[1].backend.service!.name = 'playback-workers'), 'Service playback-workers does not exist'],
    ['an Ingress backend port the Service lacks', (o) => void (get<IIngress>(o, 'Ingress', 'voice-agent').spec!.rules![0].http!.paths[0].backend.service!.port = { name: 'https' }), 'Service call-gateway has no port https'],
    ['a secretKeyRef to a missing key', (o) => void (container(o, 'llm-worker').env!.find((v) => v.name === 'OPENAI_API_KEY')!.valueFrom!.secretKeyRef!.key = 'OPENAI_KEY'), 'Secret voice-agent-secrets has no key OPENAI_KEY'],
    ['an envFrom naming a missing ConfigMap', (o) => void (container(o, 'tts-worker').envFrom![0].configMapRef!.name = 'voice-agent-settings'), 'ConfigMap voice-agent-settings does not exist'],
    ['a configMap volume naming a missing ConfigMap', (o) => void (get<IDeployment>(o, 'Deployment', 'playback-worker').spec!.template.spec!.volumes![0].configMap!.name = 'agents'), 'volume agents: ConfigMap agents does not exist'],
    ['a volumeMount naming no volume', (o) => void (container(o, 'call-gateway').volumeMounts![0].name = 'agent'), 'volumeMount agent names no volume of the pod'],
    ['container args naming another app', (o) => void (container(o, 'tts-worker').args = ['tts-workr']), 'container args ["tts-workr"] do not name the app tts-worker'],
    ['a misspelled ConfigMap key', (o) => void (get<IConfigMap>(o, 'ConfigMap', 'voice-agent-config').data!.PUBLIC_ULR = 'https://x.example'), 'key PUBLIC_ULR is not a config variable'],
    ['a config value the app would reject', (o) => void (get<IConfigMap>(o, 'ConfigMap', 'voice-agent-config').data!.TTS_SHARDS = 'sixty-four'), 'the app would not start: config: TTS_SHARDS'],
    ['a Deployment missing from the rendering', (o) => void o.splice(o.findIndex((x) => x.kind === 'Deployment' && x.metadata.name === 'llm-worker'), 1), 'docker-compose app llm-worker has no Deployment'],
  ])('%s', (_scenario, breakIt, expected) => {
    expect(problemsAfter(() => undefined)).toEqual([]);
    expect(problemsAfter(breakIt)).toContainEqual(expect.stringContaining(expected));
  });

  it('an app of docker-compose.yml without its Deployment, and the reverse', () => {
    const apps = new Map(composeApps());
    apps.set('metrics-worker', ['metrics-worker']);
    apps.delete('call-gateway');
    const problems = referenceProblems(rendering('base').objects, { ...referenceFacts(rendering('base')), composeApps: apps });
    expect(problems).toEqual(['docker-compose app metrics-worker has no Deployment', 'Deployment/call-gateway is not an app of docker-compose.yml']);
  });

  it('a misspelled field (readinesProbe) that the schema alone lets through', () => {
    const objects = deepClone(rendering('base').objects);
    const probed = container(objects, 'llm-worker') as unknown as Record<string, unknown>;
    probed.readinesProbe = probed.readinessProbe;
    delete probed.readinessProbe;
    const deployment = get<IDeployment>(objects, 'Deployment', 'llm-worker');
    expect(schemaProblems(deployment)).toEqual([]);
    expect(unknownFields.problems(deployment)).toEqual(['Deployment/llm-worker: .spec.template.spec.containers[0].readinesProbe: unknown field']);
  });

  it('a value of the wrong type, and an apiVersion the installed schemas do not offer', () => {
    const objects = deepClone(rendering('base').objects);
    (container(objects, 'call-gateway').ports![0] as { containerPort: unknown }).containerPort = '3000';
    expect(schemaProblems(get(objects, 'Deployment', 'call-gateway'))).toEqual([expect.stringContaining('containerPort must be integer')]);
    const hpa = { ...get<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler', 'tts-worker'), apiVersion: 'autoscaling/v2beta3' };
    expect(schemaProblems(hpa)).toEqual(['HorizontalPodAutoscaler/tts-worker: kubernetes-models has no model for autoscaling/v2beta3 HorizontalPodAutoscaler']);
    expect(modelClassFor('apps/v1', 'Deployment')).toBeDefined();
  });
});
