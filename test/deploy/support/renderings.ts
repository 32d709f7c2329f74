import { join } from 'node:path';
import { K8sObject } from './k8s-object';
import { Rendering, renderKustomization } from './kustomize-render';
import { REPO_ROOT, composeApps, entrypointApps } from './project-facts';
import { ReferenceFacts } from './manifest-references.checks';

export const BASE_DIR = join(REPO_ROOT, 'deploy', 'k8s', 'base');
export const OVERLAY_DIR = join(REPO_ROOT, 'deploy', 'k8s', 'overlays', 'example');

/** The four apps, by their Deployment names (= the image's first argument). */
export const APPS = ['call-gateway', 'llm-worker', 'tts-worker', 'playback-worker'] as const;
export type AppName = (typeof APPS)[number];

const cache = new Map<string, Rendering>();

/** The base or the example overlay, rendered once per test file (kustomize-render.ts says how). */
export function rendering(which: 'base' | 'overlay'): Rendering {
  const dir = which === 'base' ? BASE_DIR : OVERLAY_DIR;
  let rendered = cache.get(dir);
  if (!rendered) cache.set(dir, (rendered = renderKustomization(dir)));
  return rendered;
}

/** What references may name: the rendering's objects, and those its overlay deletes to provide them out of band. */
export const knownObjects = (r: Rendering): K8sObject[] => [...r.objects, ...r.deleted];

export function referenceFacts(r: Rendering): ReferenceFacts {
  return { outOfBand: r.deleted, entrypointApps: entrypointApps(), composeApps: composeApps() };
}

export const RENDERINGS = [
  ['base', 'base'],
  ['overlay example', 'overlay'],
] as const;
