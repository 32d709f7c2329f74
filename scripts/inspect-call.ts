/**
 * `npm run inspect -- <callId> [--json]`: one call's story from Redis: its lifecycle, and each finished
 * turn as a waterfall of where the time went between the caller's last word and the first audio they
 * heard. REDIS_URL from the environment (default redis://127.0.0.1:6379).
 */
import Redis from 'ioredis';
import { DEFAULT_REDIS_URL } from '@app/bus/redis-connection';
import { LIFECYCLE_STREAM, METRICS_STREAM } from '@app/contracts';
import { formatCallWaterfall } from './lib/waterfall-format';
import { buildCallWaterfall } from './lib/waterfall-model';
import { readCallRecords } from './lib/waterfall-reader';

/** A reachable Redis answers in ms; an operator should learn within seconds that it is not reachable. */
export const CONNECT_TIMEOUT_MS = 2_000;

export const USAGE = 'usage: npm run inspect -- <callId> [--json]';

/** Exit codes, distinct so scripts can tell a wrong id from a wrong REDIS_URL. */
export const EXIT = { ok: 0, unknownCall: 1, usage: 2, redisUnreachable: 3 } as const;

export interface InspectIo {
  out(text: string): void;
  err(text: string): void;
}

type Args = { callId: string; json: boolean } | { error: string };

export function parseArgs(argv: string[]): Args {
  const json = argv.includes('--json');
  const rest = argv.filter((arg) => arg !== '--json');
  const unknownFlag = rest.find((arg) => arg.startsWith('-'));
  if (unknownFlag) return { error: `unknown option ${unknownFlag}` };
  if (rest.length !== 1) return { error: rest.length === 0 ? 'a call id is required' : 'one call id at a time' };
  return { callId: rest[0], json };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid REDIS_URL)';
  }
}

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export async function inspectCall(argv: string[], env: NodeJS.ProcessEnv, io: InspectIo): Promise<number> {
  const args = parseArgs(argv);
  if ('error' in args) {
    io.err(`${args.error}\n${USAGE}`);
    return EXIT.usage;
  }
  const url = env.REDIS_URL || DEFAULT_REDIS_URL;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: CONNECT_TIMEOUT_MS });
  // The socket's error (ECONNREFUSED, ENOTFOUND...) comes as an event; connect() only says "closed".
  let socketError: unknown;
  redis.on('error', (error: unknown) => {
    socketError = error;
  });
  try {
    await redis.connect();
  } catch (error) {
    io.err(`cannot reach Redis at ${redactUrl(url)}: ${reasonOf(socketError ?? error)}\nset REDIS_URL to the Redis the services use`);
    redis.disconnect();
    return EXIT.redisUnreachable;
  }
  try {
    const records = await readCallRecords(redis, args.callId);
    if (records.lifecycle.length === 0 && records.turns.length === 0) {
      io.err(`unknown call ${args.callId}: no entry for it in ${LIFECYCLE_STREAM} or ${METRICS_STREAM} at ${redactUrl(url)} (a wrong id, or trimmed away)`);
      return EXIT.unknownCall;
    }
    if (records.invalid > 0) io.err(`${records.invalid} invalid entries of this call were left out`);
    const call = buildCallWaterfall(args.callId, records.lifecycle, records.turns);
    io.out(args.json ? JSON.stringify(call) : formatCallWaterfall(call));
    return EXIT.ok;
  } catch (error) {
    io.err(`reading call ${args.callId} from Redis at ${redactUrl(url)} failed: ${reasonOf(error)}`);
    return EXIT.redisUnreachable;
  } finally {
    redis.disconnect();
  }
}

if (require.main === module) {
  const io: InspectIo = { out: (text) => process.stdout.write(`${text}\n`), err: (text) => process.stderr.write(`${text}\n`) };
  void inspectCall(process.argv.slice(2), process.env, io).then((code) => {
    process.exitCode = code;
  });
}
