import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IIngressServiceBackend } from 'kubernetes-models/networking.k8s.io/v1/IngressServiceBackend';
import { K8sObject } from './k8s-object';

/**
 * The backend an Ingress sends a request to, by the Ingress API's matching rules: an `Exact` path
 * matches the path itself; a `Prefix` path matches whole path elements (`/media` matches `/media/x`,
 * not `/mediax`); the longest matching path wins, `Exact` before `Prefix` on a tie.
 */
export function routeOf(ingress: IIngress & K8sObject, host: string, path: string): IIngressServiceBackend | undefined {
  const candidates = (ingress.spec?.rules ?? [])
    .filter((rule) => rule.host === undefined || rule.host === host)
    .flatMap((rule) => rule.http?.paths ?? [])
    .filter((p) => matches(p.pathType, p.path ?? '/', path))
    .sort((a, b) => (b.path ?? '/').length - (a.path ?? '/').length || Number(b.pathType === 'Exact') - Number(a.pathType === 'Exact'));
  return candidates[0]?.backend.service ?? ingress.spec?.defaultBackend?.service;
}

function matches(pathType: string, rulePath: string, path: string): boolean {
  if (pathType === 'Exact') return rulePath === path;
  if (pathType !== 'Prefix') return false; // ImplementationSpecific: not used here, so never assumed to match
  const ruleElements = rulePath.split('/').filter(Boolean);
  const elements = path.split('/').filter(Boolean);
  return ruleElements.every((element, i) => elements[i] === element);
}
