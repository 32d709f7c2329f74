import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { K8sObject, findObject } from './k8s-object';

/** The keys and values of a ConfigMap or Secret (`data` base64-decoded for a Secret, `stringData` as is). */
export function dataOf(object: K8sObject | undefined): Record<string, string> {
  if (!object) return {};
  if (object.kind === 'ConfigMap') return { ...((object as IConfigMap & K8sObject).data ?? {}) };
  const secret = object as ISecret & K8sObject;
  const decoded = Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]);
  return { ...Object.fromEntries(decoded), ...(secret.stringData ?? {}) };
}

/**
 * The environment a container starts with: `envFrom` first, then `env` (which wins), the way the
 * kubelet builds it. Field references resolve to sample values; an unresolvable reference is left
 * out (the reference checks report it).
 */
export function containerEnv(container: IContainer, objects: readonly K8sObject[], podName = 'pod-0'): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ? findObject(objects, 'ConfigMap', source.configMapRef.name ?? '') : findObject(objects, 'Secret', source.secretRef?.name ?? '');
    for (const [key, value] of Object.entries(dataOf(ref))) env[`${source.prefix ?? ''}${key}`] = value;
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    const value =
      variable.value ??
      (from?.fieldRef?.fieldPath === 'metadata.name' ? podName : undefined) ??
      (from?.configMapKeyRef ? dataOf(findObject(objects, 'ConfigMap', from.configMapKeyRef.name ?? ''))[from.configMapKeyRef.key] : undefined) ??
      (from?.secretKeyRef ? dataOf(findObject(objects, 'Secret', from.secretKeyRef.name ?? ''))[from.secretKeyRef.key] : undefined);
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}
