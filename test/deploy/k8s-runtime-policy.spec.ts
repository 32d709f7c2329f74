/**
 * deploy/k8s, what the objects must say for this system to run well, for the base and the example
 * overlay alike: the public routes reach the apps that serve them, each app scales on its own signal
 * (slowly down for the workers that hold calls), stops within a grace period that fits its drain,
 * fits a 2-core node, runs unprivileged, and gets the agents file and exactly the secrets it uses.
 * Values the manifests must agree with are read from the project (app constants, config loader,
 * agents loader), not restated.
 */
import { dirname, basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IService } from 'kubernetes-models/v1/Service';
import { AppConfig, parseAgents } from '@app/config';
import { GROUPS, TURNS_STREAM } from '@app/contracts/streams';
import { K8sObject, containersOf, deploymentsSelectedBy, findObject, ofKind } from './support/k8s-object';
import { AppPod, appPods, startConfig } from './support/app-config.checks';
import { dataOf } from './support/pod-env';
import { MIB, parseQuantity } from './support/quantity';
import { routeOf } from './support/ingress-routes';
import { parseImage } from './support/kustomize-render';
import { numericConstant, stringConstant } from './support/project-facts';
import { APPS, AppName, RENDERINGS, knownObjects, rendering } from './support/renderings';

/** The app's own SIGTERM cap: it exits by itself after this long (libs/core/src/bootstrap.ts). */
const SHUTDOWN_TIMEOUT_S = numericConstant('libs/core/src/bootstrap.ts', 'SHUTDOWN_TIMEOUT_MS') / 1000;
/** How long a stopping tts-worker lets turns in progress finish before it hands its shards over. */
const TTS_DRAIN_TIMEOUT_S = numericConstant('apps/tts-worker/src/tts-worker.settings.ts', 'DEFAULT_DRAIN_TIMEOUT_MS') / 1000;
const WEBHOOK_PATH = `/${stringConstant('apps/call-gateway/src/webhook/telnyx-webhook.controller.ts', 'TELNYX_WEBHOOK_PATH')}`;
const MEDIA_PATH = stringConstant('apps/playback-worker/src/media/media-socket.server.ts', 'MEDIA_PATH');
const MEDIA_URL_PATH = stringConstant('apps/call-gateway/src/calls/answer-request.builder.ts', 'MEDIA_STREAM_PATH');

/** A 2-core node keeps ~0.1 core for the kubelet and the system; one replica of every app must fit in half of the rest. */
const NODE_CORES = 2;
const HALF_NODE_ALLOCATABLE_CPU = 0.95;
/** Half the allocatable memory of the usual 2-core, 4 GiB node (~3 GiB allocatable). */
const HALF_NODE_ALLOCATABLE_MEMORY = 1536 * MIB;
/** Beyond the app's own cap: time for the kubelet and a busy node, before SIGKILL. */
const GRACE_MARGIN_S = 5;
/** Apps that hold calls: their scale-down must wait this long at least, and remove a pod at most this often. */
const CALL_HOLDER_SCALE_DOWN_WINDOW_S = 600;
const CALL_HOLDER_SCALE_DOWN_PERIOD_S = 300;
/** nginx's proxy timeouts for the media socket: at least as long as a long call. */
const MEDIA_SOCKET_TIMEOUT_S = 3600;

describe.each(RENDERINGS)('deploy/k8s %s', (_label, which) => {
  const objects = () => rendering(which).objects;
  const pods = () => appPods(objects(), knownObjects(rendering(which)));
  const pod = (app: AppName): AppPod => pods().find((p) => p.deployment.metadata.name === app)!;
  const config = (app: AppName): AppConfig => startConfig(pod(app)) as AppConfig;
  const deployment = (app: AppName) => pod(app).deployment;
  const podSpec = (app: AppName) => deployment(app).spec!.template.spec!;
  const hpa = (app: AppName) => ofKind<IHorizontalPodAutoscaler>(objects(), 'HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef.name === app)!;
  const ingress = () => ofKind<IIngress>(objects(), 'Ingress')[0];

  describe('routes', () => {
    it('sends Telnyx webhooks to the gateway and the media WebSocket to the playback-workers, on the PUBLIC_URL host', () => {
      const host = new URL(config('call-gateway').PUBLIC_URL!).host;
      const appBehind = (path: string) => {
        const service = findObject(objects(), 'Service', routeOf(ingress(), host, path)?.name ?? '') as (IService & K8sObject) | undefined;
        return deploymentsSelectedBy(objects(), service?.spec?.selector).map((d) => d.metadata.name);
      };
      expect(MEDIA_URL_PATH).toBe(MEDIA_PATH); // the URL the gateway gives Telnyx is the path the worker serves
      expect(appBehind(WEBHOOK_PATH)).toEqual(['call-gateway']);
      expect(appBehind(MEDIA_PATH)).toEqual(['playback-worker']);
      expect(appBehind('/health/ready')).toEqual([]); // nothing else is public
      expect(ingress().spec?.tls?.flatMap((t) => t.hosts ?? [])).toContain(host);
    });

    it('keeps long-lived media sockets open through nginx', () => {
      const annotations = ingress().metadata.annotations ?? {};
      for (const key of ['proxy-read-timeout', 'proxy-send-timeout']) {
        expect(Number(annotations[`nginx.ingress.kubernetes.io/${key}`])).toBeGreaterThanOrEqual(MEDIA_SOCKET_TIMEOUT_S);
      }
    });
  });

  describe('probes and identity', () => {
    it.each(APPS)('%s: readiness on /health/ready, liveness on /health/live, a startup budget, INSTANCE_ID = pod name', (app) => {
      const { container } = pod(app);
      expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
      expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(container.startupProbe?.httpGet?.path).toBe('/health/live');
      expect(container.env?.find((v) => v.name === 'INSTANCE_ID')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    });
  });

  describe('autoscaling', () => {
    it('lets the HPAs own the replica counts (no Deployment sets replicas; at least 2 for a PDB to allow a drain)', () => {
      for (const app of APPS) {
        expect({ app, replicas: deployment(app).spec?.replicas }).toEqual({ app, replicas: undefined });
        expect(hpa(app).spec?.minReplicas).toBeGreaterThanOrEqual(2);
        expect(hpa(app).spec!.maxReplicas).toBeGreaterThanOrEqual(hpa(app).spec!.minReplicas!);
      }
    });

    it('scales each app on its signal: gateway on CPU, llm-worker on the turns group lag, tts/playback on live calls per pod', () => {
      const metrics = (app: AppName) => hpa(app).spec?.metrics ?? [];
      expect(metrics('call-gateway')[0]).toMatchObject({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } });
      expect(metrics('llm-worker')[0]).toMatchObject({
        type: 'External',
        external: { metric: { name: 'redis_stream_group_lag', selector: { matchLabels: { stream: TURNS_STREAM, group: GROUPS.llm } } }, target: { type: 'AverageValue' } },
      });
      for (const app of ['tts-worker', 'playback-worker'] as const) {
        expect(metrics(app)).toEqual([{ type: 'Pods', pods: { metric: { name: 'voice_live_calls' }, target: { type: 'AverageValue', averageValue: expect.any(String) } } }]);
      }
    });

    it.each(['tts-worker', 'playback-worker'] as const)('%s scales down slowly: its calls are long-lived', (app) => {
      const scaleDown = hpa(app).spec?.behavior?.scaleDown;
      expect(scaleDown?.stabilizationWindowSeconds).toBeGreaterThanOrEqual(CALL_HOLDER_SCALE_DOWN_WINDOW_S);
      expect(scaleDown?.policies?.length).toBeGreaterThan(0);
      for (const policy of scaleDown?.policies ?? []) {
        expect(policy).toMatchObject({ type: 'Pods', value: 1 });
        expect(policy.periodSeconds).toBeGreaterThanOrEqual(CALL_HOLDER_SCALE_DOWN_PERIOD_S);
      }
    });

    it('never runs more tts-workers than shards (a worker holds whole shards)', () => {
      expect(hpa('tts-worker').spec!.maxReplicas).toBeLessThanOrEqual(config('tts-worker').TTS_SHARDS);
      // One shard count for everyone who computes shard = hash(callId) mod TTS_SHARDS.
      expect(new Set((['call-gateway', 'llm-worker', 'tts-worker'] as const).map((app) => config(app).TTS_SHARDS)).size).toBe(1);
    });
  });

  describe('termination', () => {
    const graceOf = (app: AppName) => podSpec(app).terminationGracePeriodSeconds!;
    const preStopSleep = (container: IContainer): number => {
      const preStop = container.lifecycle?.preStop;
      const command = preStop?.exec?.command ?? [];
      return preStop?.sleep?.seconds ?? (basename(command[0] ?? '') === 'sleep' ? Number(command[1]) : 0);
    };

    it.each(APPS)("%s: the grace period covers the preStop delay, the app's own shutdown cap and a margin", (app) => {
      expect(graceOf(app)).toBeGreaterThanOrEqual(preStopSleep(pod(app).container) + SHUTDOWN_TIMEOUT_S + GRACE_MARGIN_S);
    });

    it('gives the workers that hold calls (tts, playback) longer than the stateless apps, playback the longest', () => {
      const stateless = Math.max(graceOf('call-gateway'), graceOf('llm-worker'));
      expect(graceOf('tts-worker')).toBeGreaterThan(stateless);
      expect(graceOf('tts-worker')).toBeGreaterThan(TTS_DRAIN_TIMEOUT_S + GRACE_MARGIN_S);
      expect(graceOf('playback-worker')).toBeGreaterThanOrEqual(300);
      expect(graceOf('playback-worker')).toBeGreaterThan(graceOf('tts-worker'));
    });

    it('keeps the apps behind the Ingress serving until their removal from the Service has propagated', () => {
      for (const app of ['call-gateway', 'playback-worker'] as const) expect(preStopSleep(pod(app).container)).toBeGreaterThanOrEqual(5);
    });
  });

  describe('resources', () => {
    it.each(APPS)('%s: requests and limits for CPU and memory, requests within limits, the V8 heap within the memory limit', (app) => {
      const { requests, limits } = pod(app).container.resources ?? {};
      for (const resource of ['cpu', 'memory']) {
        expect(parseQuantity(requests![resource])).toBeGreaterThan(0);
        expect(parseQuantity(requests![resource])).toBeLessThanOrEqual(parseQuantity(limits![resource]));
      }
      expect(parseQuantity(limits!.cpu)).toBeLessThanOrEqual(NODE_CORES);
      const heapMib = Number(/--max-old-space-size=(\d+)/.exec(pod(app).env.NODE_OPTIONS ?? '')?.[1]);
      expect(heapMib * MIB).toBeLessThanOrEqual(0.75 * parseQuantity(limits!.memory));
    });

    it('fits one replica of every app in half of a 2-core node', () => {
      const total = (resource: string) => APPS.reduce((sum, app) => sum + parseQuantity(pod(app).container.resources!.requests![resource]), 0);
      expect(total('cpu')).toBeLessThanOrEqual(HALF_NODE_ALLOCATABLE_CPU);
      expect(total('memory')).toBeLessThanOrEqual(HALF_NODE_ALLOCATABLE_MEMORY);
    });
  });

  describe('security', () => {
    it.each(APPS)('%s: non-root, no privilege escalation, no capabilities, read-only root, default seccomp, no API token', (app) => {
      const spec = podSpec(app);
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(spec.securityContext?.runAsUser).toBeGreaterThan(0); // numeric: the image's user is a name
      expect(pod(app).container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      const tmp = pod(app).container.volumeMounts?.find((m) => m.mountPath === '/tmp');
      expect(spec.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
    });
  });

  describe('agents and secrets', () => {
    it.each(APPS)('%s: the agents file is mounted at AGENTS_FILE from the agents ConfigMap', (app) => {
      const file = config(app).AGENTS_FILE!;
      const mount = pod(app).container.volumeMounts?.find((m) => m.mountPath === dirname(file));
      const volume = podSpec(app).volumes?.find((v) => v.name === mount?.name);
      expect(mount?.readOnly).toBe(true);
      expect(volume?.configMap?.name).toBe('voice-agent-agents');
      expect(Object.keys(dataOf(findObject(objects(), 'ConfigMap', volume!.configMap!.name!)))).toContain(basename(file));
    });

    it("holds agents the app's loader accepts, whose keys reach the workers that use them", () => {
      const agentsFile = dataOf(findObject(objects(), 'ConfigMap', 'voice-agent-agents'))['agents.yaml'];
      const agents = parseAgents(parseYaml(agentsFile)).all();
      expect(agents.length).toBeGreaterThan(0);
      for (const agent of agents) {
        expect(pod('llm-worker').env[agent.llm.apiKeyEnv]).toBeTruthy();
        expect(pod('tts-worker').env[agent.tts.apiKeyEnv]).toBeTruthy();
      }
    });

    it('gives each app only the secrets it uses, the media token secret to both its signer and its verifier', () => {
      const secretsOf = (app: AppName) =>
        (pod(app).container.env ?? []).filter((v) => v.valueFrom?.secretKeyRef).map((v) => `${v.valueFrom!.secretKeyRef!.name}/${v.valueFrom!.secretKeyRef!.key}`).sort();
      expect(Object.fromEntries(APPS.map((app) => [app, secretsOf(app)]))).toEqual({
        'call-gateway': ['voice-agent-secrets/MEDIA_TOKEN_SECRET', 'voice-agent-secrets/OUTBOUND_API_TOKEN', 'voice-agent-secrets/TELNYX_API_KEY', 'voice-agent-secrets/TELNYX_PUBLIC_KEY'],
        'llm-worker': ['voice-agent-secrets/OPENAI_API_KEY'],
        'tts-worker': ['voice-agent-secrets/ELEVENLABS_API_KEY'],
        'playback-worker': ['voice-agent-secrets/MEDIA_TOKEN_SECRET'],
      });
      expect(APPS.flatMap((app) => pod(app).container.envFrom ?? []).filter((source) => source.secretRef)).toEqual([]);
    });

    it('ships a Secret template with placeholders only, holding every key the apps use', () => {
      const secret = knownObjects(rendering(which)).find((o) => o.kind === 'Secret' && o.metadata.name === 'voice-agent-secrets');
      const values = dataOf(secret);
      expect(Object.keys(values).sort()).toEqual(['ELEVENLABS_API_KEY', 'MEDIA_TOKEN_SECRET', 'OPENAI_API_KEY', 'OUTBOUND_API_TOKEN', 'TELNYX_API_KEY', 'TELNYX_PUBLIC_KEY']);
      for (const value of Object.values(values)) expect(value).toMatch(/^REPLACE_ME/);
    });

    it('reaches the managed Redis Cluster through seed nodes in the ConfigMap', () => {
      for (const app of APPS) expect(config(app).REDIS_CLUSTER_NODES?.split(',')).toEqual(expect.arrayContaining([expect.stringMatching(/^[a-z0-9.-]+:\d+$/)]));
    });
  });

  it('runs every container from the one image of the project', () => {
    const images = new Set(APPS.flatMap((app) => containersOf(deployment(app) as IDeployment & K8sObject).map((c) => parseImage(c.image!).name)));
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/voice-agent-backend$/);
  });
});
