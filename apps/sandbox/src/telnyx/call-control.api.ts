import { IncomingMessage, ServerResponse } from 'node:http';
import { Clock } from '@app/clock';
import { ApiError, authenticationFailed, invalidCallControlId, notFound, unexpectedError } from './api-errors';
import { CallCommands } from './call-commands';
import { CallLifecycle } from './call-lifecycle';
import { CallRegistry, CommandOutcome, SimCall } from './call.registry';
import { FaultInjector } from './fault-injector';
import { parseJsonObject, readBody, sendJson } from './http-io';

/**
 * The Call Control REST API under `/v2`, as the telnyx SDK calls it: Bearer auth,
 * `POST /v2/calls/{call_control_id}/actions/{command}` (the id's colon arrives raw from the SDK, which
 * keeps `:` in paths, or as %3A from other clients: both decode to the same id), `POST /v2/calls`
 * (dial) and `GET /v2/calls/{id}`. A repeated `command_id` on the same call within 60 s is answered
 * `ok` with no second effect (documented). Successful commands answer `{"data":{"result":"ok"}}`.
 */
export const API_PREFIX = '/v2';
/** Telnyx ignores a repeated command_id for the same call for 60 s. */
export const COMMAND_DEDUPE_WINDOW_MS = 60_000;
/** Simulated processing time of a command before its answer; zero keeps measures about our code. */
export const DEFAULT_COMMAND_LATENCY_MS = 0;

const ACTION_PATH = /^\/v2\/calls\/([^/]+)\/actions\/([^/]+)$/;
const CALL_PATH = /^\/v2\/calls\/([^/]+)$/;
const OK = { data: { result: 'ok' } };

export interface CallControlApiDeps {
  clock: Clock;
  registry: CallRegistry;
  commands: CallCommands;
  lifecycle: CallLifecycle;
  faults: FaultInjector;
  /** When set, the Bearer token must equal it; otherwise any non-empty token is accepted. */
  apiKey?: string;
  latencyMs: number;
}

export class CallControlApi {
  constructor(private readonly deps: CallControlApiDeps) {}

  handles(path: string): boolean {
    return path === API_PREFIX || path.startsWith(`${API_PREFIX}/`);
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const raw = await readBody(req);
    let status = 200;
    let body: unknown = OK;
    try {
      this.authenticate(req);
      const failure = this.deps.faults.takeFailure();
      const action = ACTION_PATH.exec(path);
      if (req.method === 'POST' && action) {
        this.action(decodeURIComponent(action[1]), action[2], raw, failure);
      } else if (req.method === 'POST' && path === `${API_PREFIX}/calls`) {
        if (failure) throw unexpectedError(failure);
        body = { data: this.describe(this.deps.lifecycle.dial(parseJsonObject(raw))) };
      } else if (req.method === 'GET' && CALL_PATH.exec(path)) {
        if (failure) throw unexpectedError(failure);
        body = { data: this.describe(this.require(decodeURIComponent(CALL_PATH.exec(path)![1]))) };
      } else {
        throw notFound();
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status = error.status;
      body = error.body();
    }
    const waitMs = this.deps.latencyMs + this.deps.faults.takeDelay();
    if (waitMs > 0) await this.deps.clock.sleep(waitMs);
    sendJson(res, status, body);
  }

  private action(callControlId: string, command: string, raw: string, failure: number | undefined): void {
    const receivedAt = this.deps.clock.epochNow();
    const call = this.deps.registry.get(callControlId);
    const record = (body: Record<string, unknown>, status: number, outcome: CommandOutcome) =>
      call?.commands.push({ command, commandId: str(body.command_id), body, receivedAt, status, outcome });
    if (failure) {
      record(safeParse(raw), failure, 'fault');
      throw unexpectedError(failure);
    }
    const body = parseJsonObject(raw);
    if (!call) throw invalidCallControlId();
    const commandId = str(body.command_id);
    const seenAt = commandId === undefined ? undefined : call.commandIds.get(commandId);
    if (seenAt !== undefined && receivedAt - seenAt < COMMAND_DEDUPE_WINDOW_MS) {
      record(body, 200, 'duplicate');
      return;
    }
    try {
      this.deps.commands.run(call, command, body);
    } catch (error) {
      if (error instanceof ApiError) record(body, error.status, outcomeOf(error));
      throw error;
    }
    if (commandId !== undefined) call.commandIds.set(commandId, receivedAt);
    record(body, 200, 'ok');
  }

  private authenticate(req: IncomingMessage): void {
    const match = /^Bearer\s+(\S+)$/.exec(req.headers.authorization ?? '');
    if (!match || (this.deps.apiKey !== undefined && match[1] !== this.deps.apiKey)) throw authenticationFailed();
  }

  private require(callControlId: string): SimCall {
    const call = this.deps.registry.get(callControlId);
    if (!call) throw invalidCallControlId();
    return call;
  }

  /** The call resource as dial and "retrieve call status" return it. */
  private describe(call: SimCall): Record<string, unknown> {
    const alive = call.state === 'answered';
    return {
      record_type: 'call',
      call_control_id: call.callControlId,
      call_leg_id: call.callLegId,
      call_session_id: call.callSessionId,
      is_alive: alive,
      client_state: call.clientState ?? undefined,
      start_time: new Date(call.startedAt).toISOString(),
      ...(call.endedAt !== undefined ? { end_time: new Date(call.endedAt).toISOString() } : {}),
    };
  }
}

function outcomeOf(error: ApiError): CommandOutcome {
  if (error.code === '90018') return 'call-ended';
  if (error.code === '90034') return 'not-answered';
  return 'invalid';
}

function safeParse(raw: string): Record<string, unknown> {
  try {
    return parseJsonObject(raw);
  } catch {
    return {};
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
