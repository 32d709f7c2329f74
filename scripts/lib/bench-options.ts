/**
 * `npm run bench -- [options]`: the command line, read and validated once; every default a named
 * constant. Errors name the option.
 */
/** The concurrency levels: one call alone, a small office, a busy line. */
export const DEFAULT_LEVELS = [1, 10, 100];
/** Several turns per call, so a call's later turns (warm socket, warm caches) count as much as its first. */
export const DEFAULT_TURNS = 3;
/** Share of calls whose script barges in once: enough for a p99 at 100 calls, most turns still complete. */
export const DEFAULT_BARGE_IN_SHARE = 0.2;
/**
 * Between two call starts. Real calls never arrive in the same millisecond; 50 ms spreads 100 calls
 * over 5 s, well under one call's length (~30 s), so all of a level's calls still overlap.
 */
export const DEFAULT_STAGGER_MS = 50;
/** The most concurrent calls a run may ask for (capacity runs); more is beyond any 2-core machine. */
export const MAX_CALLS = 500;
/** `--capacity` without a count. */
export const DEFAULT_CAPACITY_CALLS = 500;
export const MAX_TURNS = 20;
export const MAX_STAGGER_MS = 5_000;
/**
 * The simulators' layout: "split" runs OpenAI and ElevenLabs in processes of their own, so the one
 * that plays the caller (Telnyx, the ear) keeps up at 100 calls on two cores; "single" is the demo's.
 */
export const DEFAULT_SANDBOX_LAYOUT: SandboxLayout = 'split';

export type SandboxLayout = 'single' | 'split';

export interface BenchOptions {
  levels: number[];
  /** Levels of the per-turn REST baseline, run right after the persistent level of the same size. */
  baselineLevels: number[];
  turns: number;
  bargeInShare: number;
  staggerMs: number;
  json: boolean;
  /** A capacity run: per-call CPU and memory are the point, the levels are large. */
  capacity: boolean;
  /** One unmeasured call per mode first, so the first level does not pay for JIT and connection warm-up. */
  warmup: boolean;
  sandbox: SandboxLayout;
}

export const USAGE = [
  'usage: npm run bench -- [options]',
  '  --levels 1,10,100         concurrent calls per level (each 1..500)',
  '  --baseline-levels 1,10    levels for the per-turn REST baseline (default: the same; "none" to skip)',
  '  --turns 3                 turns per call (1..20)',
  '  --barge-in 0.2            share of calls that barge in once (0..1)',
  '  --stagger-ms 50           between two call starts',
  '  --capacity [500]          a capacity run at that many calls (persistent mode only unless',
  '                            --baseline-levels is given), reporting CPU and memory per call',
  '  --no-warmup               skip the unmeasured warm-up call of each mode',
  '  --sandbox split           simulators in three processes (split, the default) or one (single)',
  '  --json                    one JSON object on stdout instead of the table',
].join('\n');

export type ParsedOptions = { options: BenchOptions } | { help: true } | { error: string };

export function parseBenchArgs(argv: readonly string[]): ParsedOptions {
  let levels: number[] | undefined;
  let baselineLevels: number[] | undefined;
  let capacityCalls: number | undefined;
  const options: BenchOptions = {
    levels: DEFAULT_LEVELS,
    baselineLevels: DEFAULT_LEVELS,
    turns: DEFAULT_TURNS,
    bargeInShare: DEFAULT_BARGE_IN_SHARE,
    staggerMs: DEFAULT_STAGGER_MS,
    json: false,
    capacity: false,
    warmup: true,
    sandbox: DEFAULT_SANDBOX_LAYOUT,
  };
  const args = [...argv];
  try {
    while (args.length > 0) {
      const raw = args.shift()!;
      const [flag, inline] = raw.includes('=') ? [raw.slice(0, raw.indexOf('=')), raw.slice(raw.indexOf('=') + 1)] : [raw, undefined];
      const value = (): string => {
        const v = inline ?? args.shift();
        if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new Error(`${flag} needs a value`);
        return v;
      };
      switch (flag) {
        case '--help':
        case '-h':
          return { help: true };
        case '--json':
          options.json = true;
          break;
        case '--no-warmup':
          options.warmup = false;
          break;
        case '--levels':
          levels = parseLevels(flag, value());
          break;
        case '--baseline-levels': {
          const v = value();
          baselineLevels = v === 'none' ? [] : parseLevels(flag, v);
          break;
        }
        case '--turns':
          options.turns = parseInteger(flag, value(), 1, MAX_TURNS);
          break;
        case '--barge-in':
          options.bargeInShare = parseNumber(flag, value(), 0, 1);
          break;
        case '--stagger-ms':
          options.staggerMs = parseInteger(flag, value(), 0, MAX_STAGGER_MS);
          break;
        case '--sandbox': {
          const v = value();
          if (v !== 'single' && v !== 'split') throw new Error(`--sandbox: "${v}" is neither single nor split`);
          options.sandbox = v;
          break;
        }
        case '--capacity': {
          options.capacity = true;
          const next = inline ?? (args[0] !== undefined && !args[0].startsWith('--') ? args.shift() : undefined);
          capacityCalls = next === undefined ? DEFAULT_CAPACITY_CALLS : parseInteger(flag, next, 1, MAX_CALLS);
          break;
        }
        default:
          throw new Error(`unknown option ${raw}`);
      }
    }
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  if (options.capacity) {
    options.levels = levels ?? [capacityCalls!];
    options.baselineLevels = baselineLevels ?? [];
  } else {
    options.levels = levels ?? DEFAULT_LEVELS;
    options.baselineLevels = baselineLevels ?? options.levels;
  }
  return { options };
}

function parseLevels(flag: string, value: string): number[] {
  const levels = value.split(',').map((part) => parseInteger(flag, part.trim(), 1, MAX_CALLS));
  if (levels.length === 0) throw new Error(`${flag} needs at least one level`);
  return [...new Set(levels)].sort((a, b) => a - b);
}

function parseInteger(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new Error(`${flag}: "${value}" is not a whole number`);
  return inRange(flag, Number(value), min, max);
}

function parseNumber(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new Error(`${flag}: "${value}" is not a number`);
  return inRange(flag, n, min, max);
}

function inRange(flag: string, n: number, min: number, max: number): number {
  if (n < min || n > max) throw new Error(`${flag}: ${n} is outside ${min}..${max}`);
  return n;
}

/**
 * The simulated providers' latencies, pinned here (they equal the sandbox's defaults, the issue's
 * figures) so that a change of defaults never silently changes what the benchmark compares.
 */
export const BENCH_PROVIDERS = {
  llmFirstTokenMs: 250,
  llmTokensPerSecond: 40,
  ttsHandshakeMs: 350,
  ttsFirstByteMs: 150,
  ttsGenerationSpeed: 4,
} as const;

/** The SANDBOX_CONFIG fields that set BENCH_PROVIDERS. */
export function sandboxLatencies(): Record<string, unknown> {
  return {
    openai: { firstTokenLatencyMs: BENCH_PROVIDERS.llmFirstTokenMs, tokensPerSecond: BENCH_PROVIDERS.llmTokensPerSecond },
    elevenlabs: {
      handshakeLatencyMs: BENCH_PROVIDERS.ttsHandshakeMs,
      firstByteLatencyMs: BENCH_PROVIDERS.ttsFirstByteMs,
      generationSpeed: BENCH_PROVIDERS.ttsGenerationSpeed,
    },
  };
}
