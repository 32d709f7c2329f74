import { BenchReport, LevelFigures, callsPerMachine } from './bench-report';
import { Summary } from './bench-stats';

/**
 * The benchmark's human output: the settings, one latency table and one resource table with the
 * persistent mode and the REST baseline side by side per level, the first-audio ratio, the goals
 * (met / MISSED with the figure), and the notes that explain a missed or unmeasured figure.
 */
/** Services in pipeline order; anything else sampled follows in name order. */
export const SERVICE_ORDER = [
  'call-gateway',
  'llm-worker',
  'tts-worker',
  'playback-worker',
  'redis',
  'sandbox',
  'sandbox-openai',
  'sandbox-elevenlabs',
  'bench-driver',
];

export function formatDistribution(s: Summary): string {
  if (s.count === 0) return '-';
  return `${s.p50} / ${s.p95} / ${s.p99} / ${s.max}`;
}

/** Columns padded to their widest cell: the first left-aligned, the rest right-aligned. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('   ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

interface ModeLevel {
  mode: string;
  level: LevelFigures;
}

/** Persistent and baseline rows of the same size next to each other. */
function sideBySide(report: BenchReport): ModeLevel[] {
  const rows: ModeLevel[] = [];
  const sizes = [...new Set([...report.levels, ...report.baseline.levels].map((l) => l.calls))].sort((a, b) => a - b);
  for (const calls of sizes) {
    const persistent = report.levels.find((l) => l.calls === calls);
    const baseline = report.baseline.levels.find((l) => l.calls === calls);
    if (persistent) rows.push({ mode: 'persistent', level: persistent });
    if (baseline) rows.push({ mode: 'baseline', level: baseline });
  }
  return rows;
}

function services(report: BenchReport): string[] {
  const seen = new Set([...report.levels, ...report.baseline.levels].flatMap((l) => Object.keys(l.cpuPercent)));
  return [...SERVICE_ORDER.filter((s) => seen.has(s)), ...[...seen].filter((s) => !SERVICE_ORDER.includes(s)).sort()];
}

export function formatReport(report: BenchReport): string {
  const s = report.settings;
  const p = s.providers;
  const out: string[] = [
    `Benchmark: ${s.turns} turns a call, ${Math.round(s.bargeInShare * 100)} % of calls barge in once, calls started ${s.staggerMs} ms apart`,
    `Simulated providers: LLM first token ${p.llmFirstTokenMs} ms, ${p.llmTokensPerSecond} tokens/s; TTS handshake ${p.ttsHandshakeMs} ms, ` +
      `first byte ${p.ttsFirstByteMs} ms, ${p.ttsGenerationSpeed}× real time; ` +
      (s.sandbox === 'split' ? 'simulators in 3 processes (Telnyx + caller, OpenAI, ElevenLabs)' : 'simulators in one process'),
    `Machine: ${s.machine.cores} cores (${s.machine.cpu})`,
    'Modes: persistent = agent receptionist (one TTS socket per call, media streaming); ' +
      'baseline = agent baseline-rest (new TTS connection per turn, batch-then-play, REST playback)',
    '',
    'Latency per turn, ms: p50 / p95 / p99 / max (gap = a turn\'s largest hole between sentences, 0 when seamless)',
  ];
  const rows = sideBySide(report);
  out.push(
    ...renderTable(
      ['mode', 'calls', 'turns', 'first audio', 'providers', 'our overhead', 'gaps', 'barge-in to silence'],
      rows.map(({ mode, level: l }) => [
        mode,
        String(l.calls),
        String(l.turnsMeasured),
        formatDistribution(l.firstAudioMs),
        formatDistribution(l.providerMs),
        formatDistribution(l.overheadMs),
        formatDistribution(l.gapsMs),
        l.bargeInMs.count === 0 ? '-' : `${formatDistribution(l.bargeInMs)} (${l.bargeInMs.count})`,
      ]),
    ),
  );
  if (!report.baseline.available) out.push(`  baseline: unavailable: ${report.baseline.reason}`);
  out.push('', 'Where our overhead goes, ms p50 / p99: final transcript → LLM request; LLM first text → TTS; TTS first audio → heard');
  out.push(
    ...renderTable(
      ['mode', 'calls', 'to LLM', 'LLM to TTS', 'TTS to ear'],
      rows.map(({ mode, level: l }) => [mode, String(l.calls), ...Object.values(l.overheadStagesMs).map((d) => (d.count === 0 ? '-' : `${d.p50} / ${d.p99}`))]),
    ),
  );
  const names = services(report);
  out.push(
    '',
    'CPU, % of one core: mean over the level (busiest 0.5 s); "per call" = our services (apps + Redis) / calls;',
    '"others" = the rest of the machine (other users); "sandbox lag" = how late the simulators answered, ms p50 / p99 / max',
  );
  out.push(
    ...renderTable(
      ['mode', 'calls', ...names, 'per call', 'others', 'sandbox lag'],
      rows.map(({ mode, level: l }) => [
        mode,
        String(l.calls),
        ...names.map((n) => (l.cpuPercent[n] === undefined ? '-' : `${l.cpuPercent[n]} (${l.cpuPeakPercent[n]})`)),
        String(l.perCall.cpuPercent),
        l.otherCpuPercent === null ? '-' : String(l.otherCpuPercent),
        l.sandboxLagMs.count === 0 ? '-' : `${l.sandboxLagMs.p50} / ${l.sandboxLagMs.p99} / ${l.sandboxLagMs.max}`,
      ]),
    ),
  );
  out.push('', 'Memory, peak RSS MB; "per call" = growth of our services\' RSS over the level / calls');
  out.push(
    ...renderTable(
      ['mode', 'calls', ...names, 'per call'],
      rows.map(({ mode, level: l }) => [mode, String(l.calls), ...names.map((n) => (l.rssMb[n] === undefined ? '-' : String(l.rssMb[n]))), String(l.perCall.rssMb)]),
    ),
  );
  if (s.capacity) {
    out.push('', 'Capacity: cost of one call to our services (apps + Redis), simulators and the benchmark excluded');
    for (const { mode, level: l } of rows) {
      const fits = callsPerMachine(l.perCall.cpuPercent, s.machine.cores);
      out.push(
        `  ${mode} at ${l.calls} calls: ${l.perCall.cpuPercent} % of a core and ${l.perCall.rssMb} MB per call` +
          (fits === undefined ? '' : `; CPU alone would run out at about ${fits} calls on ${s.machine.cores} cores (linear, an upper bound)`),
      );
    }
  }
  out.push('');
  if (report.firstAudioRatio !== null) {
    const byLevel = Object.entries(report.firstAudioRatioByLevel)
      .map(([calls, r]) => `${calls} calls: ${r}`)
      .join(', ');
    out.push(`First audio p50, persistent / baseline: ${report.firstAudioRatio} at ${report.firstAudioRatioCalls} calls (${byLevel})`);
  } else {
    out.push(`First audio p50, persistent / baseline: not measured (${report.baseline.available ? 'no level measured both modes' : 'baseline unavailable'})`);
  }
  out.push('', 'Goals');
  const width = Math.max(...report.goals.map((g) => g.status.length));
  for (const g of report.goals) {
    out.push(`  ${g.status.padEnd(width)}  ${g.goal}: ${g.figure}`);
    if (g.why) out.push(`  ${''.padEnd(width)}  why: ${g.why}`);
  }
  const notes = [
    ...report.notes,
    ...rows.flatMap(({ mode, level }) => level.notes.map((n) => `${mode} ${level.calls} calls: ${n}`)),
  ];
  if (notes.length > 0) out.push('', 'Notes', ...notes.map((n) => `  - ${n}`));
  out.push('', `logs: ${report.logDir}`);
  return out.join('\n');
}
