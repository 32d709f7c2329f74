import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRecord } from './k8s-object';
import { loadYamlDocuments } from './manifest-loader';

/**
 * What the manifests must agree with, read from the project's own files rather than restated here:
 * the apps of docker-compose.yml, the apps the image's entrypoint starts, the port variable each
 * app's main.ts listens on, and the timing constants of the shutdown code. Read as text so the test
 * does not boot Nest; a file that no longer has the expected shape fails the test with its name.
 */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

/** docker-compose.yml services that are apps: all but `redis` and those of the `sandbox` profile, with their command. */
export function composeApps(file = 'docker-compose.yml'): Map<string, string[]> {
  const [compose] = loadYamlDocuments(join(REPO_ROOT, file));
  if (!isRecord(compose) || !isRecord(compose.services)) throw new Error(`${file}: no services`);
  const apps = new Map<string, string[]>();
  for (const [name, service] of Object.entries(compose.services)) {
    if (name === 'redis' || !isRecord(service)) continue;
    const profiles = Array.isArray(service.profiles) ? service.profiles : [];
    if (profiles.includes('sandbox')) continue;
    const command = service.command;
    apps.set(name, Array.isArray(command) ? command.map(String) : typeof command === 'string' ? command.split(/\s+/) : []);
  }
  return apps;
}

/** The apps deploy/docker-entrypoint.sh starts (its `case` pattern). */
export function entrypointApps(file = 'deploy/docker-entrypoint.sh'): string[] {
  const pattern = /^\s*([a-z][a-z|-]*[a-z])\)\s*$/m.exec(read(file));
  if (!pattern) throw new Error(`${file}: no "app|app|…)" case pattern found`);
  return pattern[1].split('|');
}

/** The config variable an app listens on: `port: (runtime) => runtime.config.GATEWAY_PORT` in its main.ts. */
export function appPortVariable(app: string): string {
  const file = `apps/${app}/src/main.ts`;
  const match = /port:\s*\(\w+\)\s*=>\s*\w+\.config\.([A-Z_]+)/.exec(read(file));
  if (!match) throw new Error(`${file}: no "port: (runtime) => runtime.config.X" found`);
  return match[1];
}

/** `export const NAME = 10_000;` → 10000. */
export function numericConstant(file: string, name: string): number {
  const match = new RegExp(`export const ${name}\\s*=\\s*([0-9_]+)\\s*;`).exec(read(file));
  if (!match) throw new Error(`${file}: no numeric "export const ${name} = …;"`);
  return Number(match[1].replace(/_/g, ''));
}

/** `export const NAME = '/media';` → '/media'. */
export function stringConstant(file: string, name: string): string {
  const match = new RegExp(`export const ${name}\\s*=\\s*'([^']*)'\\s*;`).exec(read(file));
  if (!match) throw new Error(`${file}: no string "export const ${name} = '…';"`);
  return match[1];
}
