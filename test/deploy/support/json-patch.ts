import { isRecord } from './k8s-object';

/** One RFC 6902 operation, of the kinds our overlays use. */
export interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

/** Applies RFC 6902 operations in place, failing the way kustomize does (a missing path throws). */
export function applyJsonPatch(document: unknown, operations: readonly JsonPatchOperation[]): void {
  for (const operation of operations) applyOne(document, operation);
}

function applyOne(document: unknown, { op, path, value }: JsonPatchOperation): void {
  const tokens = parsePointer(path);
  const last = tokens.pop();
  if (last === undefined) throw new Error(`json patch: ${op} of the whole document is not supported`);
  const parent = tokens.reduce<unknown>((node, token) => child(node, token, path), document);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    const inRange = Number.isInteger(index) && index >= 0 && index <= parent.length - (op === 'add' ? 0 : 1);
    if (!inRange) throw new Error(`json patch: ${path}: index ${last} out of range`);
    if (op === 'add') parent.splice(index, 0, value);
    else if (op === 'replace') parent[index] = value;
    else if (op === 'remove') parent.splice(index, 1);
    else expectEqual(parent[index], value, path);
    return;
  }
  if (!isRecord(parent)) throw new Error(`json patch: ${path}: parent is not an object or a list`);
  if (op !== 'add' && !(last in parent)) throw new Error(`json patch: ${op} ${path}: no such member`);
  if (op === 'add' || op === 'replace') parent[last] = value;
  else if (op === 'remove') delete parent[last];
  else expectEqual(parent[last], value, path);
}

function child(node: unknown, token: string, path: string): unknown {
  const next = Array.isArray(node) ? node[Number(token)] : isRecord(node) ? node[token] : undefined;
  if (next === undefined) throw new Error(`json patch: ${path}: no member ${token}`);
  return next;
}

function expectEqual(actual: unknown, expected: unknown, path: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`json patch: test ${path} failed`);
}

/** RFC 6901: `/a/b~1c` → ['a', 'b/c']. */
function parsePointer(path: string): string[] {
  if (!path.startsWith('/')) throw new Error(`json patch: path ${path} must start with /`);
  return path
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}
