import { Clock } from '@app/clock';
import { WebhookSigner } from './webhook.signer';

/**
 * Delivers webhooks the way Telnyx does: a signed JSON POST per event, `meta.attempt` counting
 * deliveries, a retry after a non-2xx answer or no answer in time. Telnyx documents that it does not
 * enforce order and may duplicate; `duplicateProbability` and `reorderProbability` reproduce both
 * (1 makes them deterministic for tests). By default a call's events leave in order, one at a time;
 * retries are scheduled off that queue, so a failing event arrives late, as it would from Telnyx.
 */
/** Extra delay before each delivery; zero keeps the end-to-end measure about our own code. */
export const DEFAULT_WEBHOOK_LATENCY_MS = 0;
/** Telnyx asks for a 2xx within 2 s (messaging docs; voice delivery is documented only as "a time threshold"). */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 2_000;
/** "Up to 3 attempts per URL" (messaging docs; the voice schedule is not published). */
export const DEFAULT_WEBHOOK_MAX_ATTEMPTS = 3;
/** Pause between attempts of one event. */
export const DEFAULT_WEBHOOK_RETRY_DELAY_MS = 1_000;
/** How long a held (to-be-reordered) event waits for a later one to overtake it. */
export const DEFAULT_REORDER_WINDOW_MS = 50;

export interface WebhookDeliveryOptions {
  latencyMs: number;
  timeoutMs: number;
  maxAttempts: number;
  retryDelayMs: number;
  duplicateProbability: number;
  reorderProbability: number;
  reorderWindowMs: number;
}

export const DEFAULT_WEBHOOK_DELIVERY: WebhookDeliveryOptions = {
  latencyMs: DEFAULT_WEBHOOK_LATENCY_MS,
  timeoutMs: DEFAULT_WEBHOOK_TIMEOUT_MS,
  maxAttempts: DEFAULT_WEBHOOK_MAX_ATTEMPTS,
  retryDelayMs: DEFAULT_WEBHOOK_RETRY_DELAY_MS,
  duplicateProbability: 0,
  reorderProbability: 0,
  reorderWindowMs: DEFAULT_REORDER_WINDOW_MS,
};

export interface WebhookEventData {
  record_type: 'event';
  event_type: string;
  id: string;
  occurred_at: string;
  payload: Record<string, unknown>;
}

export interface DeliveryRecord {
  eventId: string;
  eventType: string;
  callControlId?: string;
  url: string;
  attempt: number;
  duplicate: boolean;
  sentAt: number;
  rawBody: string;
  status?: number;
  error?: string;
}

interface Held {
  url: string;
  data: WebhookEventData;
  release: () => void;
}

export class WebhookSender {
  readonly deliveries: DeliveryRecord[] = [];
  private readonly queues = new Map<string, Promise<void>>();
  private readonly held = new Map<string, Held>();
  private readonly retries = new Set<Promise<void>>();
  private readonly stop = new AbortController();

  constructor(
    private readonly signer: WebhookSigner,
    private readonly clock: Clock,
    private readonly options: WebhookDeliveryOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Queues one event for `orderKey` (the call); returns at once. */
  send(url: string, data: WebhookEventData, orderKey: string): void {
    if (this.stop.signal.aborted) return;
    const held = this.held.get(orderKey);
    if (held) {
      this.held.delete(orderKey);
      this.enqueue(url, data, orderKey);
      held.release();
      return;
    }
    if (this.random() < this.options.reorderProbability) {
      const timer = this.clock.setTimeout(() => {
        if (this.held.get(orderKey)?.data !== data) return;
        this.held.delete(orderKey);
        this.enqueue(url, data, orderKey);
      }, this.options.reorderWindowMs);
      this.held.set(orderKey, { url, data, release: () => (this.clock.clearTimeout(timer), this.enqueue(url, data, orderKey)) });
      return;
    }
    this.enqueue(url, data, orderKey);
  }

  /** Resolves when nothing is queued, held or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.queues.size > 0 || this.retries.size > 0 || this.held.size > 0) {
      await Promise.all([...this.queues.values(), ...this.retries]);
      if (this.held.size > 0) await new Promise((r) => setImmediate(r));
    }
  }

  close(): void {
    this.stop.abort();
  }

  private enqueue(url: string, data: WebhookEventData, orderKey: string): void {
    const duplicate = this.random() < this.options.duplicateProbability;
    this.chain(orderKey, () => this.firstAttempt(url, data, false));
    if (duplicate) this.chain(orderKey, () => this.firstAttempt(url, data, true));
  }

  private chain(orderKey: string, task: () => Promise<void>): void {
    const next = (this.queues.get(orderKey) ?? Promise.resolve()).then(task);
    this.queues.set(orderKey, next);
    void next.then(() => {
      if (this.queues.get(orderKey) === next) this.queues.delete(orderKey);
    });
  }

  private async firstAttempt(url: string, data: WebhookEventData, duplicate: boolean): Promise<void> {
    if (!(await this.pause(this.options.latencyMs))) return;
    if (await this.deliver(url, data, 1, duplicate)) return;
    const retry = this.retry(url, data, duplicate);
    this.retries.add(retry);
    void retry.then(() => this.retries.delete(retry));
  }

  private async retry(url: string, data: WebhookEventData, duplicate: boolean): Promise<void> {
    for (let attempt = 2; attempt <= this.options.maxAttempts; attempt++) {
      if (!(await this.pause(this.options.retryDelayMs))) return;
      if (await this.deliver(url, data, attempt, duplicate)) return;
    }
  }

  /** One POST; true on a 2xx. */
  private async deliver(url: string, data: WebhookEventData, attempt: number, duplicate: boolean): Promise<boolean> {
    if (this.stop.signal.aborted) return true;
    const rawBody = JSON.stringify({ data, meta: { attempt, delivered_to: url } });
    const sentAt = this.clock.epochNow();
    const record: DeliveryRecord = {
      eventId: data.id,
      eventType: data.event_type,
      callControlId: typeof data.payload.call_control_id === 'string' ? data.payload.call_control_id : undefined,
      url,
      attempt,
      duplicate,
      sentAt,
      rawBody,
    };
    this.deliveries.push(record);
    const abort = new AbortController();
    const timer = this.clock.setTimeout(() => abort.abort(), this.options.timeoutMs);
    const onStop = () => abort.abort();
    this.stop.signal.addEventListener('abort', onStop, { once: true });
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'telnyx-webhooks', ...this.signer.sign(rawBody, sentAt) },
        body: rawBody,
        signal: abort.signal,
      });
      await response.arrayBuffer();
      record.status = response.status;
      return response.status >= 200 && response.status < 300;
    } catch (error) {
      record.error = abort.signal.aborted ? 'timeout' : String(error);
      return false;
    } finally {
      this.clock.clearTimeout(timer);
      this.stop.signal.removeEventListener('abort', onStop);
    }
  }

  /** Waits `ms` on the clock; false when the sender closed meanwhile. */
  private async pause(ms: number): Promise<boolean> {
    if (ms <= 0) return !this.stop.signal.aborted;
    try {
      await this.clock.sleep(ms, this.stop.signal);
      return true;
    } catch {
      return false;
    }
  }
}
