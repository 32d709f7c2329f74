import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import { K8sObject, containersOf, deploymentsSelectedBy, findObject, idOf, ofKind, podLabels, selects } from './k8s-object';
import { dataOf } from './pod-env';

/**
 * Cross-references between the objects of one rendering, each check returning its problems as
 * sentences (empty when all is well) so that a test can both require none and, on a deliberately
 * broken copy, require the one it broke.
 */
export interface ReferenceFacts {
  /** Objects a reference may name besides the rendering's own (e.g. a Secret created out of band). */
  outOfBand: readonly K8sObject[];
  /** Apps the image's entrypoint can start. */
  entrypointApps: readonly string[];
  /** docker-compose.yml apps and their command. */
  composeApps: ReadonlyMap<string, readonly string[]>;
}

export function referenceProblems(objects: readonly K8sObject[], facts: ReferenceFacts): string[] {
  return [
    ...selectorProblems(objects),
    ...containerPortProblems(objects),
    ...appPairingProblems(objects),
    ...serviceProblems(objects),
    ...ingressProblems(objects),
    ...configReferenceProblems(objects, [...objects, ...facts.outOfBand]),
    ...containerArgsProblems(objects, facts.entrypointApps),
    ...composeProblems(objects, facts.composeApps),
  ];
}

const deployments = (objects: readonly K8sObject[]) => ofKind<IDeployment>(objects, 'Deployment');

/** A Deployment's selector selects its own pod template; Services and PDBs select the pods of exactly one Deployment. */
export function selectorProblems(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const deployment of deployments(objects)) {
    if (!selects(deployment.spec?.selector.matchLabels, podLabels(deployment))) {
      problems.push(`${idOf(deployment)}: selector does not match its pod template's labels`);
    }
  }
  const selecting = [
    ...ofKind<IService>(objects, 'Service').map((s) => [s, s.spec?.selector] as const),
    ...ofKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget').map((p) => [p, p.spec?.selector?.matchLabels] as const),
  ];
  for (const [object, selector] of selecting) {
    const selected = deploymentsSelectedBy(objects, selector);
    if (selected.length !== 1) {
      problems.push(`${idOf(object)}: selector ${JSON.stringify(selector)} selects the pods of ${selected.length} Deployments, not 1`);
    }
  }
  return problems;
}

/** Every probe and lifecycle handler of a container hits a port the container declares (by name or number). */
export function containerPortProblems(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const deployment of deployments(objects)) {
    for (const container of containersOf(deployment)) {
      const handlers = {
        readinessProbe: container.readinessProbe,
        livenessProbe: container.livenessProbe,
        startupProbe: container.startupProbe,
        'lifecycle.preStop': container.lifecycle?.preStop,
        'lifecycle.postStart': container.lifecycle?.postStart,
      };
      for (const [where, handler] of Object.entries(handlers)) {
        const port = handler?.httpGet?.port ?? handler?.tcpSocket?.port;
        if (port !== undefined && !declaresPort(container, port)) {
          problems.push(`${idOf(deployment)}: container ${container.name} ${where} uses port ${port}, which the container does not declare`);
        }
      }
    }
  }
  return problems;
}

function declaresPort(container: IContainer, port: string | number): boolean {
  return (container.ports ?? []).some((p) => (typeof port === 'number' ? p.containerPort === port : p.name === port));
}

/** Each app (Deployment) has exactly one HPA whose scaleTargetRef names it and exactly one PDB selecting its pods. */
export function appPairingProblems(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const hpas = ofKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler');
  for (const hpa of hpas) {
    const ref = hpa.spec?.scaleTargetRef;
    if (ref?.kind !== 'Deployment' || ref.apiVersion !== 'apps/v1' || !findObject(objects, 'Deployment', ref.name)) {
      problems.push(`${idOf(hpa)}: scaleTargetRef ${JSON.stringify(ref)} names no Deployment (apps/v1) of this rendering`);
    }
  }
  const pdbs = ofKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget');
  for (const deployment of deployments(objects)) {
    const name = deployment.metadata.name;
    const targeting = hpas.filter((hpa) => hpa.spec?.scaleTargetRef.kind === 'Deployment' && hpa.spec.scaleTargetRef.name === name);
    if (targeting.length !== 1) problems.push(`${idOf(deployment)}: ${targeting.length} HorizontalPodAutoscalers target it, not 1`);
    const budgets = pdbs.filter((pdb) => selects(pdb.spec?.selector?.matchLabels, podLabels(deployment)));
    if (budgets.length !== 1) problems.push(`${idOf(deployment)}: ${budgets.length} PodDisruptionBudgets select its pods, not 1`);
  }
  return problems;
}

/** A Service's target ports are ports that the containers of the pods it selects declare. */
export function serviceProblems(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const service of ofKind<IService>(objects, 'Service')) {
    const containers = deploymentsSelectedBy(objects, service.spec?.selector).flatMap(containersOf);
    for (const port of service.spec?.ports ?? []) {
      const target = port.targetPort ?? port.port;
      if (!containers.some((container) => declaresPort(container, target))) {
        problems.push(`${idOf(service)}: port ${port.name ?? port.port} targets ${target}, which no selected container declares`);
      }
    }
  }
  return problems;
}

/** Every Ingress backend names a Service of the rendering and one of that Service's ports. */
export function ingressProblems(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const ingress of ofKind<IIngress>(objects, 'Ingress')) {
    const backends = [
      ...(ingress.spec?.defaultBackend ? [{ path: '(default)', backend: ingress.spec.defaultBackend }] : []),
      ...(ingress.spec?.rules ?? []).flatMap((rule) => rule.http?.paths ?? []).map((p) => ({ path: p.path ?? '/', backend: p.backend })),
    ];
    for (const { path, backend } of backends) {
      const ref = backend.service;
      if (!ref) {
        problems.push(`${idOf(ingress)}: ${path}: backend is not a Service`);
        continue;
      }
      const service = findObject(objects, 'Service', ref.name) as (IService & K8sObject) | undefined;
      if (!service) {
        problems.push(`${idOf(ingress)}: ${path}: Service ${ref.name} does not exist`);
        continue;
      }
      const ports = service.spec?.ports ?? [];
      const found = ref.port?.name !== undefined ? ports.some((p) => p.name === ref.port?.name) : ports.some((p) => p.port === ref.port?.number);
      if (!found) problems.push(`${idOf(ingress)}: ${path}: Service ${ref.name} has no port ${ref.port?.name ?? ref.port?.number}`);
    }
  }
  return problems;
}

/** Every ConfigMap, Secret and key a pod names exists in `known`, and every volume mount names a volume of the pod. */
export function configReferenceProblems(objects: readonly K8sObject[], known: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const need = (owner: string, kind: 'ConfigMap' | 'Secret', name: string | undefined, keys: readonly string[] = [], optional = false): void => {
    if (optional) return;
    const object = findObject(known, kind, name ?? '');
    if (!object) return void problems.push(`${owner}: ${kind} ${name} does not exist`);
    const data = dataOf(object);
    for (const key of keys) if (!(key in data)) problems.push(`${owner}: ${kind} ${name} has no key ${key}`);
  };
  for (const deployment of deployments(objects)) {
    const pod = deployment.spec?.template.spec;
    const volumes: IVolume[] = pod?.volumes ?? [];
    for (const volume of volumes) {
      const owner = `${idOf(deployment)}: volume ${volume.name}`;
      if (volume.configMap) need(owner, 'ConfigMap', volume.configMap.name, (volume.configMap.items ?? []).map((i) => i.key), volume.configMap.optional);
      if (volume.secret) need(owner, 'Secret', volume.secret.secretName, (volume.secret.items ?? []).map((i) => i.key), volume.secret.optional);
      for (const source of volume.projected?.sources ?? []) {
        if (source.configMap) need(owner, 'ConfigMap', source.configMap.name, (source.configMap.items ?? []).map((i) => i.key), source.configMap.optional);
        if (source.secret) need(owner, 'Secret', source.secret.name, (source.secret.items ?? []).map((i) => i.key), source.secret.optional);
      }
    }
    for (const container of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
      const owner = `${idOf(deployment)}: container ${container.name}`;
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef) need(owner, 'ConfigMap', source.configMapRef.name, [], source.configMapRef.optional);
        if (source.secretRef) need(owner, 'Secret', source.secretRef.name, [], source.secretRef.optional);
      }
      for (const variable of container.env ?? []) {
        const cm = variable.valueFrom?.configMapKeyRef;
        const secret = variable.valueFrom?.secretKeyRef;
        if (cm) need(`${owner} env ${variable.name}`, 'ConfigMap', cm.name, [cm.key], cm.optional);
        if (secret) need(`${owner} env ${variable.name}`, 'Secret', secret.name, [secret.key], secret.optional);
      }
      for (const mount of container.volumeMounts ?? []) {
        if (!volumes.some((volume) => volume.name === mount.name)) problems.push(`${owner}: volumeMount ${mount.name} names no volume of the pod`);
      }
    }
  }
  return problems;
}

/**
 * One container per app Deployment, named like the Deployment and its `app.kubernetes.io/name` label,
 * whose args are exactly the app's name: the image's entrypoint starts the app its first argument names.
 */
export function containerArgsProblems(objects: readonly K8sObject[], entrypointApps: readonly string[]): string[] {
  const problems: string[] = [];
  for (const deployment of deployments(objects)) {
    const app = deployment.metadata.name;
    const containers = containersOf(deployment);
    if (podLabels(deployment)['app.kubernetes.io/name'] !== app) problems.push(`${idOf(deployment)}: pod label app.kubernetes.io/name is not ${app}`);
    if (containers.length !== 1) problems.push(`${idOf(deployment)}: ${containers.length} containers, not 1`);
    for (const container of containers) {
      const args = container.args ?? [];
      if (container.name !== app) problems.push(`${idOf(deployment)}: container ${container.name} is not named ${app}`);
      if (args.length !== 1 || args[0] !== app) problems.push(`${idOf(deployment)}: container args ${JSON.stringify(args)} do not name the app ${app}`);
      if (!entrypointApps.includes(args[0] ?? '')) problems.push(`${idOf(deployment)}: the image's entrypoint does not start ${JSON.stringify(args[0])}`);
      if (container.command) problems.push(`${idOf(deployment)}: container overrides the image's entrypoint (command)`);
    }
  }
  return problems;
}

/** The Deployments are the apps of docker-compose.yml, started with the same command. */
export function composeProblems(objects: readonly K8sObject[], composeApps: ReadonlyMap<string, readonly string[]>): string[] {
  const problems: string[] = [];
  const byName = new Map(deployments(objects).map((d) => [d.metadata.name, d]));
  for (const [app, command] of composeApps) {
    const deployment = byName.get(app);
    if (!deployment) {
      problems.push(`docker-compose app ${app} has no Deployment`);
      continue;
    }
    const args = containersOf(deployment)[0]?.args ?? [];
    if (JSON.stringify(args) !== JSON.stringify(command)) {
      problems.push(`${idOf(deployment)}: args ${JSON.stringify(args)} differ from docker-compose's command ${JSON.stringify(command)}`);
    }
  }
  for (const name of byName.keys()) if (!composeApps.has(name)) problems.push(`Deployment/${name} is not an app of docker-compose.yml`);
  return problems;
}
