import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';

/** The part of every Kubernetes object the tests rely on before schema validation. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export function isK8sObject(value: unknown): value is K8sObject {
  if (!isRecord(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') return false;
  return isRecord(value.metadata) && typeof value.metadata.name === 'string' && value.metadata.name !== '';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Kind/name`, the way problems name an object. */
export const idOf = (object: K8sObject): string => `${object.kind}/${object.metadata.name}`;

/** The objects of one kind, typed with the kubernetes-models interface (call after schema validation). */
export function ofKind<T>(objects: readonly K8sObject[], kind: string): Array<T & K8sObject> {
  return objects.filter((object) => object.kind === kind) as Array<T & K8sObject>;
}

export function findObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((object) => object.kind === kind && object.metadata.name === name);
}

/** Every label of `selector` is on `labels` (an empty selector selects nothing here: we never mean "all"). */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const wanted = Object.entries(selector ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels?.[key] === value);
}

export const podLabels = (deployment: IDeployment): Record<string, string> => deployment.spec?.template.metadata?.labels ?? {};

export const containersOf = (deployment: IDeployment): IContainer[] => deployment.spec?.template.spec?.containers ?? [];

/** The Deployments whose pods a label selector selects. */
export function deploymentsSelectedBy(
  objects: readonly K8sObject[],
  selector: Record<string, string> | undefined,
): Array<IDeployment & K8sObject> {
  return ofKind<IDeployment>(objects, 'Deployment').filter((deployment) => selects(selector, podLabels(deployment)));
}

export function deepClone<T>(value: T): T {
  return structuredClone(value);
}
