import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { TimerHandle } from '@app/clock';
import { CallCommands } from './call-commands';
import { CallControlApi } from './call-control.api';
import { CallLifecycle } from './call-lifecycle';
import { buildCallReport, CallReport } from './call-report';
import { CallWebhooks } from './call-webhooks';
import { CallRegistry, CommandRecord, SimCall } from './call.registry';
import { FaultInjector } from './fault-injector';
import { sendJson } from './http-io';
import { MediaControl } from './media-control';
import { PlaybackSimulator } from './playback.simulator';
import { PlaceCallRequest, SandboxControlApi } from './sandbox-control.api';
import { ScriptedCaller, ScriptedUtterance } from './scripted-caller';
import { ResolvedSimulatorOptions, resolveSimulatorOptions, TelnyxSimulatorOptions } from './telnyx-simulator.options';
import { DeliveryRecord, WebhookSender } from './webhook.sender';
import { WebhookSigner } from './webhook.signer';

/**
 * A Telnyx stand-in the real `telnyx` SDK and our media WebSocket server run against: Call Control
 * under `/v2`, signed webhooks, media streaming to our `stream_url`, a scripted caller and the ear
 * that measures what the caller hears. One HTTP server also carries the `/sandbox` control API.
 */
export interface StartedSimulator {
  port: number;
  /** Ends in `/v2`: give it to `new Telnyx({ baseURL })` or TELNYX_BASE_URL. */
  baseUrl: string;
}

export class TelnyxSimulator {
  readonly publicKeyBase64: string;
  readonly faults = new FaultInjector();
  private readonly options: ResolvedSimulatorOptions;
  private readonly registry: CallRegistry;
  private readonly sender: WebhookSender;
  private readonly lifecycle: CallLifecycle;
  private readonly caller: ScriptedCaller;
  private readonly api: CallControlApi;
  private readonly control: SandboxControlApi;
  private readonly scripts = new Set<Promise<void>>();
  private webhookUrl?: string;
  private server?: Server;

  constructor(options: TelnyxSimulatorOptions = {}) {
    const o = (this.options = resolveSimulatorOptions(options));
    const signer = new WebhookSigner();
    this.publicKeyBase64 = signer.publicKeyBase64;
    this.webhookUrl = o.webhookUrl;
    this.registry = new CallRegistry(o.clock, o.ear);
    this.sender = new WebhookSender(signer, o.clock, o.webhooks, o.random);
    const webhooks = new CallWebhooks(this.sender, o.clock, () => this.webhookUrl);
    const media = new MediaControl({
      clock: o.clock,
      webhooks,
      userId: randomUUID(),
      callerAudio: o.callerAudio,
      callerCodec: o.callerCodec,
      random: o.random,
      connectDelayMs: o.mediaConnectDelayMs,
    });
    const playback = new PlaybackSimulator(o.clock, webhooks, o.playbackLengthMs);
    this.lifecycle = new CallLifecycle(o.clock, this.registry, webhooks, media, playback, { connectionId: o.connectionId, ringMs: o.outboundRingMs });
    this.caller = new ScriptedCaller(o.clock, webhooks, this.lifecycle, o.caller);
    this.lifecycle.onOutboundAnswered = (call) => this.runScript(call, o.outboundScript ?? []);
    this.api = new CallControlApi({
      clock: o.clock,
      registry: this.registry,
      commands: new CallCommands(this.lifecycle, media, playback),
      lifecycle: this.lifecycle,
      faults: this.faults,
      apiKey: o.apiKey,
      latencyMs: o.commandLatencyMs,
    });
    this.control = new SandboxControlApi({
      placeCall: (request) => this.placeCall(request),
      report: (callId) => (this.registry.get(callId) ? this.report(callId) : undefined),
      callCount: () => this.registry.all().length,
    });
  }

  async start(): Promise<StartedSimulator> {
    const server = createServer((req, res) => void this.route(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return { port, baseUrl: `http://${this.options.host}:${port}/v2` };
  }

  async close(): Promise<void> {
    for (const call of this.registry.all()) this.lifecycle.hangup(call, 'phone');
    this.sender.close();
    await Promise.allSettled([...this.scripts]);
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  setWebhookUrl(url: string): void {
    this.webhookUrl = url;
  }

  /** An incoming call from the scripted caller: call.initiated goes out now. */
  placeCall(request: { from: string; to: string; script: ScriptedUtterance[] } | PlaceCallRequest): { callId: string } {
    const call = this.lifecycle.placeIncoming(request.from, request.to);
    this.runScript(call, request.script);
    return { callId: call.callControlId };
  }

  /** The phone hangs up now (call.hangup with hangup_source caller on an incoming call). */
  hangup(callId: string, cause = 'normal_clearing'): void {
    this.lifecycle.hangup(this.require(callId), 'phone', cause);
  }

  report(callId: string): CallReport {
    return buildCallReport(this.require(callId), this.options.timeline, this.options.clock.epochNow());
  }

  /** The report once the call has ended; rejects after `timeoutMs` on the simulator's clock. */
  async waitForCallEnd(callId: string, timeoutMs: number): Promise<CallReport> {
    const call = this.require(callId);
    let timer: TimerHandle | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.options.clock.setTimeout(() => reject(new Error(`call ${callId} did not end within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.registry.whenEnded(call), timeout]);
    } finally {
      this.options.clock.clearTimeout(timer);
    }
    return this.report(callId);
  }

  call(callId: string): SimCall | undefined {
    return this.registry.get(callId);
  }

  calls(): SimCall[] {
    return this.registry.all();
  }

  commands(callId: string): CommandRecord[] {
    return this.require(callId).commands;
  }

  webhookDeliveries(callId?: string): DeliveryRecord[] {
    return this.sender.deliveries.filter((d) => callId === undefined || d.callControlId === callId);
  }

  /** Resolves when every webhook queued so far has been delivered or given up. */
  webhooksIdle(): Promise<void> {
    return this.sender.idle();
  }

  private runScript(call: SimCall, script: readonly ScriptedUtterance[]): void {
    const run = this.caller.run(call, script).catch(() => undefined);
    this.scripts.add(run);
    void run.then(() => this.scripts.delete(run));
  }

  private require(callId: string): SimCall {
    const call = this.registry.get(callId);
    if (!call) throw new Error(`unknown call ${callId}`);
    return call;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
      if (this.api.handles(path)) return await this.api.handle(req, res, path);
      if (this.control.handles(path)) return await this.control.handle(req, res, path);
      sendJson(res, 404, { error: 'not found' });
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { error: String(error) });
    }
  }
}
