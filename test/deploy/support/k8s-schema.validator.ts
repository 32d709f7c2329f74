import { K8sObject, idOf } from './k8s-object';

/** A kubernetes-models class: construct it with the object's data, then `validate()` against the OpenAPI schema. */
type ModelClass = new (data: object) => { validate(): void };

const API_VERSION = /^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

/**
 * The model class kubernetes-models offers for an apiVersion and kind, e.g. `apps/v1` Deployment from
 * `kubernetes-models/apps/v1/Deployment`, core `v1` ConfigMap from `kubernetes-models/v1/ConfigMap`.
 * Undefined when the installed package has no such kind in that version (e.g. autoscaling/v2beta1 gone).
 */
export function modelClassFor(apiVersion: string, kind: string): ModelClass | undefined {
  if (!API_VERSION.test(apiVersion) || !KIND.test(kind)) return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, unknown>;
    return typeof module[kind] === 'function' ? (module[kind] as ModelClass) : undefined;
  } catch {
    return undefined;
  }
}

/** Problems with an object against the Kubernetes schema of its apiVersion/kind (empty when valid). */
export function schemaProblems(object: K8sObject): string[] {
  const Model = modelClassFor(object.apiVersion, object.kind);
  if (!Model) return [`${idOf(object)}: kubernetes-models has no model for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [`${idOf(object)}: ${error instanceof Error ? error.message : String(error)}`];
  }
}
