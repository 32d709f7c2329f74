import { ChildProcess, fork } from 'node:child_process';
import { ConnectionRecord, ProviderTimeline, epochNow } from './timeline/provider-timeline';
import { TelnyxSimulator } from './telnyx';
import { ElevenLabsSimulator } from './elevenlabs';
import { OpenAiSimulator } from './openai';
import { SandboxConfig, parseSandboxConfig } from './sandbox-config';

/**
 * The provider simulators in one process, sharing one timeline so the simulated caller's ear can tell
 * the providers' share of each turn from ours. Prints one `SANDBOX_READY {json}` line with the
 * endpoints (the launcher reads it), then runs until SIGTERM.
 *
 * With `processes: "split"` (the benchmark's heavy levels) the OpenAI and ElevenLabs simulators run in
 * two child processes of this one, so that three event loops share the load; each child forwards what
 * it records on its timeline (with the times it recorded) to this process's timeline over IPC, so the
 * call reports are the same. SANDBOX_READY then also carries the processes' pids.
 */
const PROVIDER_ROLE_FLAG = '--provider-role';
type ProviderRole = 'openai' | 'elevenlabs';
/** A child that has not reported its URL by then will not: fail the start like any other sandbox error. */
const PROVIDER_START_TIMEOUT_MS = 15_000;

interface StartedProvider {
  url: string;
  close(): Promise<void>;
  pid?: number;
}

function startOpenAi(config: SandboxConfig, timeline: ProviderTimeline): Promise<StartedProvider> {
  const openai = new OpenAiSimulator({
    host: config.host,
    port: config.openaiPort,
    apiKey: config.keys.openai,
    timeline,
    firstTokenLatencyMs: config.openai.firstTokenLatencyMs,
    tokensPerSecond: config.openai.tokensPerSecond,
  });
  return openai.start().then(({ url }) => ({ url, close: () => openai.close() }));
}

function startElevenLabs(config: SandboxConfig, timeline: ProviderTimeline): Promise<StartedProvider> {
  const elevenlabs = new ElevenLabsSimulator({
    host: config.host,
    port: config.elevenlabsPort,
    apiKey: config.keys.elevenlabs,
    timeline,
    handshakeLatencyMs: config.elevenlabs.handshakeLatencyMs,
    firstByteLatencyMs: config.elevenlabs.firstByteLatencyMs,
    generationSpeed: config.elevenlabs.generationSpeed,
    charsPerSecond: config.elevenlabs.charsPerSecond,
  });
  return elevenlabs.start().then(({ url }) => ({ url, close: () => elevenlabs.close() }));
}

async function main(): Promise<void> {
  const config = parseSandboxConfig(process.env.SANDBOX_CONFIG);
  const roleAt = process.argv.indexOf(PROVIDER_ROLE_FLAG);
  if (roleAt >= 0) return runProviderChild(config, process.argv[roleAt + 1] as ProviderRole);
  const timeline = new ProviderTimeline();
  const split = config.processes === 'split';
  const telnyx = new TelnyxSimulator({
    host: config.host,
    port: config.telnyxPort,
    apiKey: config.keys.telnyx,
    webhookUrl: config.webhookUrl,
    timeline,
    callerCodec: config.telnyx.callerCodec,
    caller: config.telnyx.callerPauseMs === undefined ? undefined : { pauseMs: config.telnyx.callerPauseMs },
  });
  const [llm, tts, tel] = await Promise.all([
    split ? forkProvider('openai', timeline) : startOpenAi(config, timeline),
    split ? forkProvider('elevenlabs', timeline) : startElevenLabs(config, timeline),
    telnyx.start(),
  ]);
  const advertised = (url: string) => (config.host === '0.0.0.0' ? url.replace('0.0.0.0', '127.0.0.1') : url);
  const endpoints = {
    telnyxBaseUrl: advertised(tel.baseUrl),
    openaiBaseUrl: advertised(llm.url.endsWith('/v1') ? llm.url : `${llm.url}/v1`),
    elevenlabsBaseUrl: advertised(tts.url),
    controlUrl: advertised(tel.baseUrl.replace(/\/v2$/, '')),
    publicKey: telnyx.publicKeyBase64,
    ...(split ? { processes: { sandbox: process.pid, 'sandbox-openai': llm.pid, 'sandbox-elevenlabs': tts.pid } } : {}),
  };
  console.log(`SANDBOX_READY ${JSON.stringify(endpoints)}`);
  const stop = async () => {
    await Promise.allSettled([telnyx.close(), tts.close(), llm.close()]);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

// ── split mode: provider children and their timeline over IPC ─────────────────────────────────────

/** One timeline call, as a child recorded it: [method, ...arguments], times included. */
type TimelineEvent =
  | ['llmRequest', string, string, number]
  | ['llmChunk', string, string, string, number]
  | ['ttsText', string, string, string, number]
  | ['ttsAudio', string, string, number, number]
  | ['ttsConnectStarted', number, string, number]
  | ['ttsConnectOpened', number, number];

/** Records nothing itself: sends each event to the parent, batched per turn of the event loop. */
class ForwardingTimeline extends ProviderTimeline {
  private batch: TimelineEvent[] = [];
  private readonly connectionIds = new WeakMap<ConnectionRecord, number>();
  private nextConnectionId = 0;

  override llmRequest(callId: string, turnId: string, at = epochNow()): void {
    this.push(['llmRequest', callId, turnId, at]);
  }
  override llmChunk(callId: string, turnId: string, text: string, at = epochNow()): void {
    this.push(['llmChunk', callId, turnId, text, at]);
  }
  override ttsText(callId: string, turnId: string, text: string, at = epochNow()): void {
    this.push(['ttsText', callId, turnId, text, at]);
  }
  override ttsAudio(callId: string, turnId: string, bytes: number, at = epochNow()): void {
    this.push(['ttsAudio', callId, turnId, bytes, at]);
  }
  override ttsConnectStarted(callId: string, at = epochNow()): ConnectionRecord {
    const record: ConnectionRecord = { callId, startedAt: at };
    const id = ++this.nextConnectionId;
    this.connectionIds.set(record, id);
    this.push(['ttsConnectStarted', id, callId, at]);
    return record;
  }
  override ttsConnectOpened(record: ConnectionRecord, at = epochNow()): void {
    record.openedAt = at;
    const id = this.connectionIds.get(record);
    if (id !== undefined) this.push(['ttsConnectOpened', id, at]);
  }

  private push(event: TimelineEvent): void {
    this.batch.push(event);
    if (this.batch.length === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const events = this.batch;
    this.batch = [];
    process.send?.({ timeline: events });
  }
}

async function runProviderChild(config: SandboxConfig, role: ProviderRole): Promise<void> {
  const timeline = new ForwardingTimeline();
  const provider = role === 'openai' ? await startOpenAi(config, timeline) : await startElevenLabs(config, timeline);
  process.send?.({ ready: provider.url });
  // The parent is gone (stopped or killed): so is the reason to run.
  process.once('disconnect', () => void provider.close().finally(() => process.exit(0)));
  process.once('SIGTERM', () => void provider.close().finally(() => process.exit(0)));
}

function forkProvider(role: ProviderRole, timeline: ProviderTimeline): Promise<StartedProvider> {
  const child: ChildProcess = fork(__filename, [PROVIDER_ROLE_FLAG, role], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const connections = new Map<number, ConnectionRecord>();
  child.on('message', (message: { timeline?: TimelineEvent[] }) => {
    for (const event of message.timeline ?? []) applyEvent(timeline, connections, event);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${role} simulator process did not start`)), PROVIDER_START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`${role} simulator process exited with code ${code}`)));
    child.on('message', (message: { ready?: string }) => {
      if (message.ready === undefined) return;
      clearTimeout(timer);
      resolve({
        url: message.ready,
        pid: child.pid,
        close: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

function applyEvent(timeline: ProviderTimeline, connections: Map<number, ConnectionRecord>, event: TimelineEvent): void {
  switch (event[0]) {
    case 'llmRequest':
      return timeline.llmRequest(event[1], event[2], event[3]);
    case 'llmChunk':
      return timeline.llmChunk(event[1], event[2], event[3], event[4]);
    case 'ttsText':
      return timeline.ttsText(event[1], event[2], event[3], event[4]);
    case 'ttsAudio':
      return timeline.ttsAudio(event[1], event[2], event[3], event[4]);
    case 'ttsConnectStarted':
      connections.set(event[1], timeline.ttsConnectStarted(event[2], event[3]));
      return;
    case 'ttsConnectOpened': {
      const record = connections.get(event[1]);
      if (record) timeline.ttsConnectOpened(record, event[2]);
      connections.delete(event[1]);
    }
  }
}

main().catch((error: unknown) => {
  console.error(`sandbox failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
