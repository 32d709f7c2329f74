import { DEFAULT_BARGE_IN_SHARE, DEFAULT_LEVELS, DEFAULT_STAGGER_MS, DEFAULT_TURNS, parseBenchArgs, sandboxLatencies } from './bench-options';

function options(argv: string[]) {
  const parsed = parseBenchArgs(argv);
  if (!('options' in parsed)) throw new Error(`expected options, got ${JSON.stringify(parsed)}`);
  return parsed.options;
}

function error(argv: string[]): string {
  const parsed = parseBenchArgs(argv);
  if (!('error' in parsed)) throw new Error(`expected an error, got ${JSON.stringify(parsed)}`);
  return parsed.error;
}

describe('bench options', () => {
  it('defaults to the issue: 1, 10 and 100 calls, both modes, 3 turns, human output, split simulators', () => {
    expect(options([])).toEqual({
      levels: DEFAULT_LEVELS,
      baselineLevels: DEFAULT_LEVELS,
      turns: DEFAULT_TURNS,
      bargeInShare: DEFAULT_BARGE_IN_SHARE,
      staggerMs: DEFAULT_STAGGER_MS,
      json: false,
      capacity: false,
      warmup: true,
      sandbox: 'split',
    });
    expect(DEFAULT_LEVELS).toEqual([1, 10, 100]);
  });

  it('reads every option, with a value as the next word or after "="', () => {
    expect(options(['--levels', '10,1', '--turns=2', '--barge-in', '0.5', '--stagger-ms', '20', '--json', '--no-warmup', '--sandbox', 'single'])).toMatchObject({
      levels: [1, 10],
      baselineLevels: [1, 10],
      turns: 2,
      bargeInShare: 0.5,
      staggerMs: 20,
      json: true,
      warmup: false,
      sandbox: 'single',
    });
  });

  it('sorts and de-duplicates levels; the baseline follows them unless told otherwise', () => {
    expect(options(['--levels', '100, 10,10,1'])).toMatchObject({ levels: [1, 10, 100], baselineLevels: [1, 10, 100] });
    expect(options(['--baseline-levels', '1,10'])).toMatchObject({ levels: [1, 10, 100], baselineLevels: [1, 10] });
    expect(options(['--baseline-levels', 'none'])).toMatchObject({ baselineLevels: [] });
  });

  it('makes --capacity a persistent-only run at 500 calls, or the count given', () => {
    expect(options(['--capacity'])).toMatchObject({ capacity: true, levels: [500], baselineLevels: [] });
    expect(options(['--capacity', '200', '--json'])).toMatchObject({ capacity: true, levels: [200], json: true });
    expect(options(['--capacity=300', '--baseline-levels', '10'])).toMatchObject({ levels: [300], baselineLevels: [10] });
  });

  it('names the option in every error', () => {
    expect(error(['--levels', '0'])).toBe('--levels: 0 is outside 1..500');
    expect(error(['--levels', '1,x'])).toBe('--levels: "x" is not a whole number');
    expect(error(['--capacity', '501'])).toBe('--capacity: 501 is outside 1..500');
    expect(error(['--turns', '0'])).toBe('--turns: 0 is outside 1..20');
    expect(error(['--barge-in', '1.5'])).toBe('--barge-in: 1.5 is outside 0..1');
    expect(error(['--barge-in', 'some'])).toBe('--barge-in: "some" is not a number');
    expect(error(['--turns'])).toBe('--turns needs a value');
    expect(error(['--turns', '--json'])).toBe('--turns needs a value');
    expect(error(['--sandbox', 'many'])).toBe('--sandbox: "many" is neither single nor split');
    expect(error(['--fast'])).toBe('unknown option --fast');
  });

  it('answers --help with the usage', () => {
    expect(parseBenchArgs(['--json', '--help'])).toEqual({ help: true });
  });

  it('pins the simulated providers to the issue latencies in the sandbox config', () => {
    expect(sandboxLatencies()).toEqual({
      openai: { firstTokenLatencyMs: 250, tokensPerSecond: 40 },
      elevenlabs: { handshakeLatencyMs: 350, firstByteLatencyMs: 150, generationSpeed: 4 },
    });
  });
});
