/** Drives the sandbox's scripted caller over its small HTTP control API, from another process. */
export interface ScriptedUtterance {
  text: string;
  /** Speak while the agent is still talking, this long after its audio started (barge-in). */
  bargeInAfterMs?: number;
}

export interface TurnReport {
  index: number;
  text: string;
  finalSentAt: number;
  firstHeardAt?: number;
  firstAudioMs?: number;
  providerMs?: number;
  overheadMs?: number;
  gapsMs: number[];
  bargeInToSilenceMs?: number;
  /** Provider-side moments of the turn, ms after the final transcript (see the sandbox's call-report.ts). */
  stagesMs?: { llmRequest?: number; llmFirstTextDone?: number; ttsFirstText?: number; ttsFirstAudio?: number; firstHeard?: number };
}

export interface CallReport {
  callId: string;
  ended: boolean;
  hangupCause?: string;
  greeting?: { firstHeardAt?: number; gapsMs: number[] };
  turns: TurnReport[];
}

export class SandboxClient {
  constructor(private readonly controlUrl: string) {}

  async placeCall(from: string, to: string, script: ScriptedUtterance[]): Promise<string> {
    const res = await fetch(`${this.controlUrl}/sandbox/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from, to, script }),
    });
    if (!res.ok) throw new Error(`sandbox refused the call: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as { callId: string }).callId;
  }

  async report(callId: string): Promise<CallReport> {
    const res = await fetch(`${this.controlUrl}/sandbox/calls/${encodeURIComponent(callId)}/report`);
    if (!res.ok) throw new Error(`sandbox report for ${callId}: HTTP ${res.status}`);
    return (await res.json()) as CallReport;
  }

  /** Polls until the scripted caller hung up (or the timeout passes, which is an error). */
  async waitForEnd(callId: string, timeoutMs: number, pollMs = 100): Promise<CallReport> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const report = await this.report(callId);
      if (report.ended) return report;
      if (Date.now() > deadline) throw new Error(`call ${callId} did not end within ${timeoutMs} ms: ${JSON.stringify(report)}`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
