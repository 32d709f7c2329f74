import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

export interface ManagedChild {
  name: string;
  process: ChildProcess;
  logFile: string;
  /** Resolves with the first stdout line that starts with `prefix` (the rest of the line). */
  waitForLine(prefix: string, timeoutMs: number): Promise<string>;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
  kill9(): void;
}

/** Starts a node script as a child, its output going to `<logDir>/<name>.log`. */
export function startNodeChild(name: string, script: string, env: NodeJS.ProcessEnv, logDir: string): ManagedChild {
  const logFile = join(logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lineWaiters: Array<{ prefix: string; resolve: (rest: string) => void }> = [];
  let buffered = '';
  child.stdout!.on('data', (data: Buffer) => {
    log.write(data);
    buffered += data.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      for (let i = lineWaiters.length - 1; i >= 0; i--) {
        if (line.startsWith(lineWaiters[i].prefix)) {
          lineWaiters[i].resolve(line.slice(lineWaiters[i].prefix.length).trim());
          lineWaiters.splice(i, 1);
        }
      }
    }
  });
  child.stderr!.on('data', (data: Buffer) => log.write(data));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    process: child,
    logFile,
    waitForLine: (prefix, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no "${prefix}" line within ${timeoutMs} ms (see ${logFile})`)), timeoutMs);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited with code ${code} before "${prefix}" (see ${logFile})`));
        });
        lineWaiters.push({
          prefix,
          resolve: (rest) => {
            clearTimeout(timer);
            resolve(rest);
          },
        });
      }),
    stop: async (signal = 'SIGTERM', timeoutMs = 8000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
      log.end();
    },
    kill9: () => {
      child.kill('SIGKILL');
    },
  };
}

export async function waitForHttpOk(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (${last})`);
}
