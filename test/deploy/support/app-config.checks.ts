import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { AppConfig, loadConfig } from '@app/config';
import { K8sObject, containersOf, idOf, ofKind } from './k8s-object';
import { containerEnv, dataOf } from './pod-env';
import { appPortVariable } from './project-facts';

/**
 * The pods' environment read by the apps' own config loader (libs/config/src/app-config.ts): the
 * config each app would start with, the port it would listen on, and variables it would ignore.
 */

/** Variables that are not the app's config but are read by the runtime itself. */
export const RUNTIME_VARIABLES = new Set(['NODE_OPTIONS']);

export interface AppPod {
  deployment: IDeployment & K8sObject;
  container: IContainer;
  env: Record<string, string>;
}

export function appPods(objects: readonly K8sObject[], known: readonly K8sObject[]): AppPod[] {
  return ofKind<IDeployment>(objects, 'Deployment').flatMap((deployment) =>
    containersOf(deployment).map((container) => ({ deployment, container, env: containerEnv(container, known, `${deployment.metadata.name}-0`) })),
  );
}

/** loadConfig's result, or the error that would stop the app at start. */
export function startConfig(pod: AppPod): AppConfig | Error {
  try {
    return loadConfig(pod.env);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Every app starts with its pod's environment; every ConfigMap key it reads and every variable its
 * container sets is a variable the config knows (a misspelled one would silently fall back to a default).
 */
export function configVariableProblems(objects: readonly K8sObject[], known: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const pod of appPods(objects, known)) {
    const config = startConfig(pod);
    if (config instanceof Error) {
      problems.push(`${idOf(pod.deployment)}: the app would not start: ${config.message}`);
      continue;
    }
    // loadConfig keeps exactly the variables it knows (zod strips the others), and a known variable
    // given a value is always kept: so "given but not kept" means "not a config variable".
    const variables = new Set(Object.keys(config).filter((key) => key !== 'secrets'));
    for (const name of (pod.container.env ?? []).map((v) => v.name)) {
      if (!variables.has(name) && !RUNTIME_VARIABLES.has(name)) problems.push(`${idOf(pod.deployment)}: env ${name} is not a config variable`);
    }
    for (const source of pod.container.envFrom ?? []) {
      const object = known.find((o) => o.kind === (source.configMapRef ? 'ConfigMap' : 'Secret') && o.metadata.name === (source.configMapRef ?? source.secretRef)?.name);
      for (const key of Object.keys(dataOf(object))) {
        if (!variables.has(`${source.prefix ?? ''}${key}`)) problems.push(`${idOf(pod.deployment)}: ${object?.kind} ${object?.metadata.name} key ${key} is not a config variable`);
      }
    }
  }
  return problems;
}

/** The app listens (its main.ts port variable, as loaded from the pod's env) on the port its probes hit. */
export function listeningPortProblems(objects: readonly K8sObject[], known: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const pod of appPods(objects, known)) {
    const config = startConfig(pod);
    if (config instanceof Error) continue; // reported by configVariableProblems
    const variable = appPortVariable(pod.deployment.metadata.name);
    const listening = config[variable as keyof AppConfig];
    const probed = resolvePort(pod.container, pod.container.readinessProbe?.httpGet?.port);
    if (listening !== probed) {
      problems.push(`${idOf(pod.deployment)}: the app listens on ${variable}=${String(listening)} but its readiness probe hits ${String(probed)}`);
    }
  }
  return problems;
}

/** A probe's port as a number: a named port resolved through the container's declared ports. */
export function resolvePort(container: IContainer, port: string | number | undefined): number | undefined {
  if (typeof port === 'number' || port === undefined) return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}
