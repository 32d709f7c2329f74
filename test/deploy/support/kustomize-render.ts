import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { K8sObject, deepClone, idOf, isK8sObject, isRecord } from './k8s-object';
import { loadK8sObjects, loadYamlDocuments } from './manifest-loader';
import { JsonPatchOperation, applyJsonPatch } from './json-patch';

/**
 * The subset of kustomize our kustomizations use, applied in the test: `resources` (files and
 * kustomization directories), `patches` (RFC 6902 with a target; strategic-merge patches of maps, and
 * `$patch: delete`), `namespace` and `images`. Any other field or form throws rather than being
 * ignored, so this never quietly renders something kustomize would not. Where kubectl is installed,
 * the spec also checks that `kubectl kustomize` renders the same objects.
 */
export interface Rendering {
  objects: K8sObject[];
  /** Objects a `$patch: delete` removed: provided out of band in that environment. */
  deleted: K8sObject[];
}

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches']);
const CLUSTER_SCOPED_KINDS = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'IngressClass', 'PriorityClass']);

interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
}

interface PatchEntry {
  path?: string;
  patch?: string;
  target?: PatchTarget;
}

interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

export function renderKustomization(directory: string): Rendering {
  const file = join(directory, 'kustomization.yaml');
  const [kustomization] = loadYamlDocuments(file);
  if (!isRecord(kustomization)) throw new Error(`${file}: not a kustomization`);
  for (const field of Object.keys(kustomization)) {
    if (!SUPPORTED_FIELDS.has(field)) throw new Error(`${file}: field ${field} is not supported by the test's kustomize subset`);
  }
  const rendering: Rendering = { objects: [], deleted: [] };
  for (const resource of (kustomization.resources as string[] | undefined) ?? []) {
    const path = resolve(directory, resource);
    if (statSync(path).isDirectory()) {
      const inner = renderKustomization(path);
      rendering.objects.push(...inner.objects);
      rendering.deleted.push(...inner.deleted);
    } else {
      rendering.objects.push(...loadK8sObjects(path));
    }
  }
  assertUniqueIds(rendering.objects, file);
  for (const entry of (kustomization.patches as PatchEntry[] | undefined) ?? []) applyPatch(rendering, entry, directory);
  if (typeof kustomization.namespace === 'string') setNamespace(rendering.objects, kustomization.namespace);
  for (const image of (kustomization.images as ImageEntry[] | undefined) ?? []) setImage(rendering.objects, image);
  return rendering;
}

function assertUniqueIds(objects: readonly K8sObject[], file: string): void {
  const seen = new Set<string>();
  for (const object of objects) {
    const id = `${object.apiVersion}/${idOf(object)}`;
    if (seen.has(id)) throw new Error(`${file}: ${id} defined twice`);
    seen.add(id);
  }
}

function applyPatch(rendering: Rendering, entry: PatchEntry, directory: string): void {
  const text = entry.patch ?? (entry.path && existsSync(join(directory, entry.path)) ? readFileSync(join(directory, entry.path), 'utf8') : undefined);
  if (text === undefined) throw new Error(`patch without a readable patch or path: ${JSON.stringify(entry)}`);
  const patch: unknown = parseYaml(text, { version: '1.1' });
  if (Array.isArray(patch)) {
    if (!entry.target) throw new Error('a JSON 6902 patch needs a target');
    const targets = matching(rendering.objects, entry.target);
    for (const object of targets) applyJsonPatch(object, patch as JsonPatchOperation[]);
    return;
  }
  if (!isK8sObject(patch)) throw new Error(`a strategic-merge patch must name apiVersion, kind and metadata.name: ${text}`);
  const target = entry.target ?? { kind: patch.kind, name: patch.metadata.name, ...groupVersion(patch.apiVersion) };
  const targets = matching(rendering.objects, target);
  if (patch.$patch === 'delete') {
    rendering.objects = rendering.objects.filter((object) => !targets.includes(object));
    rendering.deleted.push(...targets);
    return;
  }
  const { apiVersion: _apiVersion, kind: _kind, ...body } = patch;
  for (const object of targets) mergeMaps(object, { ...body, metadata: { ...patch.metadata, name: object.metadata.name } });
}

function matching(objects: readonly K8sObject[], target: PatchTarget): K8sObject[] {
  const found = objects.filter((object) => {
    const { group, version } = groupVersion(object.apiVersion);
    return (
      (target.kind === undefined || target.kind === object.kind) &&
      (target.name === undefined || target.name === object.metadata.name) &&
      (target.group === undefined || target.group === group) &&
      (target.version === undefined || target.version === version)
    );
  });
  if (found.length === 0) throw new Error(`patch target ${JSON.stringify(target)} matches no object`);
  return found;
}

function groupVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Strategic merge restricted to maps: lists would need the per-field merge keys, so they throw. */
function mergeMaps(into: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) throw new Error(`strategic-merge directive ${key} is not supported here`);
    if (Array.isArray(value)) throw new Error(`strategic-merge patch of the list ${key} is not supported here: use a JSON 6902 patch`);
    const current = into[key];
    if (isRecord(value) && isRecord(current)) mergeMaps(current, value);
    else if (value === null) delete into[key];
    else into[key] = deepClone(value);
  }
}

function setNamespace(objects: readonly K8sObject[], namespace: string): void {
  for (const object of objects) {
    if (!CLUSTER_SCOPED_KINDS.has(object.kind)) object.metadata.namespace = namespace;
  }
}

/** kustomize `images`: every container and init container whose image has this name. */
function setImage(objects: readonly K8sObject[], image: ImageEntry): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isRecord(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
        for (const container of value) {
          if (isRecord(container) && typeof container.image === 'string') container.image = renamed(container.image, image);
        }
      } else {
        visit(value);
      }
    }
  };
  objects.forEach(visit);
}

function renamed(reference: string, image: ImageEntry): string {
  const parsed = parseImage(reference);
  if (parsed.name !== image.name) return reference;
  const name = image.newName ?? parsed.name;
  if (image.digest) return `${name}@${image.digest}`;
  const tag = image.newTag ?? parsed.tag;
  return `${name}${tag ? `:${tag}` : ''}${!image.newTag && parsed.digest ? `@${parsed.digest}` : ''}`;
}

/** `registry:5000/team/app:1.2@sha256:…` → name `registry:5000/team/app`, tag `1.2`, digest `sha256:…`. */
export function parseImage(reference: string): { name: string; tag?: string; digest?: string } {
  const [withoutDigest, digest] = reference.split('@', 2);
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > withoutDigest.lastIndexOf('/');
  return {
    name: hasTag ? withoutDigest.slice(0, colon) : withoutDigest,
    tag: hasTag ? withoutDigest.slice(colon + 1) : undefined,
    digest,
  };
}
