import { z } from 'zod';

/**
 * The sandbox process's settings, as one JSON document in SANDBOX_CONFIG (the launcher, compose and
 * the benchmark write it). Every latency of every simulated provider is here, with the issue's defaults.
 */
export const sandboxConfigSchema = z.object({
  host: z.string().default('127.0.0.1'),
  webhookUrl: z.string().url(),
  telnyxPort: z.number().int().min(0).default(0),
  openaiPort: z.number().int().min(0).default(0),
  elevenlabsPort: z.number().int().min(0).default(0),
  /**
   * "single": every simulator in this process. "split": OpenAI and ElevenLabs in child processes of
   * their own (timeline forwarded over IPC), so a heavy benchmark level spreads over three event loops.
   */
  processes: z.enum(['single', 'split']).default('single'),
  keys: z
    .object({
      telnyx: z.string().default('sandbox-telnyx-key'),
      openai: z.string().default('sandbox-openai-key'),
      elevenlabs: z.string().default('sandbox-elevenlabs-key'),
    })
    .prefault({}),
  elevenlabs: z
    .object({
      handshakeLatencyMs: z.number().min(0).default(350),
      firstByteLatencyMs: z.number().min(0).default(150),
      generationSpeed: z.number().positive().default(4),
      charsPerSecond: z.number().positive().default(15),
    })
    .prefault({}),
  openai: z
    .object({
      firstTokenLatencyMs: z.number().min(0).default(250),
      tokensPerSecond: z.number().positive().default(40),
    })
    .prefault({}),
  telnyx: z
    .object({
      callerPauseMs: z.number().min(0).optional(),
      callerCodec: z.enum(['PCMU', 'PCMA']).default('PCMU'),
    })
    .prefault({}),
});
export type SandboxConfig = z.output<typeof sandboxConfigSchema>;

export function parseSandboxConfig(json: string | undefined): SandboxConfig {
  if (!json) throw new Error('SANDBOX_CONFIG is required: a JSON object with at least webhookUrl');
  const parsed = sandboxConfigSchema.safeParse(JSON.parse(json));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`SANDBOX_CONFIG: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
