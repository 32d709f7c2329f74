import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * Agents: who answers which number and how. Loaded from a YAML or JSON file (AGENTS_FILE) and validated
 * once at start; a mistake is reported with the agent and the field. Secrets are never written here:
 * an agent names the environment variable that holds its key (`apiKeyEnv`).
 */
const ENV_NAME = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the name of an environment variable');

export const agentSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'),
    numbers: z.array(z.string().min(1)).default([]),
    greeting: z.string().min(1).default('Hello! How can I help you today?'),
    systemPrompt: z.string().default('You are a helpful phone assistant. Answer briefly, in plain speech.'),
    llm: z
      .object({
        baseUrl: z.string().url().optional(),
        apiKeyEnv: ENV_NAME.default('OPENAI_API_KEY'),
        model: z.string().min(1).default('gpt-4o-mini'),
        temperature: z.number().min(0).max(2).default(0.7),
        maxTokens: z.number().int().positive().default(300),
        firstTokenTimeoutMs: z.number().int().positive().default(3000),
        apology: z.string().min(1).default("Sorry, I'm having trouble answering right now. Could you say that again?"),
        historyBudgetChars: z.number().int().positive().default(8000),
        firstChunkMinChars: z.number().int().positive().default(40),
      })
      .prefault({}),
    tts: z
      .object({
        baseUrl: z.string().url().optional(),
        apiKeyEnv: ENV_NAME.default('ELEVENLABS_API_KEY'),
        voiceId: z.string().min(1).default('21m00Tcm4TlvDq8ikWAM'),
        modelId: z.string().min(1).default('eleven_flash_v2_5'),
        outputFormat: z.enum(['ulaw_8000', 'alaw_8000', 'pcm_8000', 'pcm_16000']).default('ulaw_8000'),
        voiceSettings: z
          .object({
            stability: z.number().min(0).max(1).default(0.5),
            similarity_boost: z.number().min(0).max(1).default(0.75),
            style: z.number().min(0).max(1).optional(),
            use_speaker_boost: z.boolean().optional(),
            speed: z.number().min(0.7).max(1.2).optional(),
          })
          .prefault({}),
        usePersistentTts: z.boolean().default(true),
        protocol: z.enum(['multi-stream-input', 'stream-input']).default('multi-stream-input'),
        inactivityTimeoutS: z.number().int().min(5).max(180).default(180),
        autoMode: z.boolean().default(true),
        /** Baseline mode of the seed system: all of a turn's audio generated before any is played. */
        batchThenPlay: z.boolean().default(false),
      })
      .prefault({}),
    playback: z
      .object({
        mode: z.enum(['stream', 'rest']).default('stream'),
        codec: z.enum(['PCMU', 'PCMA']).default('PCMU'),
      })
      .prefault({}),
    transcription: z
      .object({
        engine: z.enum(['Google', 'Telnyx', 'Deepgram', 'Azure', 'A', 'B']).default('Google'),
        language: z.string().default('en'),
        interimResults: z.boolean().default(true),
      })
      .prefault({}),
    bargeIn: z
      .object({ enabled: z.boolean().default(true), minWords: z.number().int().min(1).default(2) })
      .prefault({}),
    deadAir: z
      .object({
        silenceMs: z.number().int().positive().default(8000),
        reprompts: z.array(z.string().min(1)).default(['Are you still there?']),
        hangupAfter: z.number().int().min(1).default(2),
        goodbye: z.string().default("I'll hang up now. Goodbye!"),
      })
      .prefault({}),
  })
  .strict();

export type AgentConfig = z.output<typeof agentSchema>;

export const agentsFileSchema = z.object({
  defaultAgent: z.string().optional(),
  agents: z.array(z.unknown()).min(1),
});

export class AgentConfigError extends Error {
  constructor(
    message: string,
    readonly agentId: string | undefined,
    readonly field: string | undefined,
  ) {
    super(message);
    this.name = 'AgentConfigError';
  }
}

export class AgentDirectory {
  private readonly byId = new Map<string, AgentConfig>();
  private readonly byNumber = new Map<string, AgentConfig>();

  constructor(
    agents: AgentConfig[],
    readonly defaultAgentId: string | undefined,
  ) {
    for (const agent of agents) {
      if (this.byId.has(agent.id)) throw new AgentConfigError(`agent ${agent.id}: duplicate id`, agent.id, 'id');
      this.byId.set(agent.id, agent);
      for (const number of agent.numbers) {
        const owner = this.byNumber.get(number);
        if (owner) {
          throw new AgentConfigError(`agent ${agent.id}: number ${number} already belongs to ${owner.id}`, agent.id, 'numbers');
        }
        this.byNumber.set(number, agent);
      }
    }
    if (defaultAgentId !== undefined && !this.byId.has(defaultAgentId)) {
      throw new AgentConfigError(`defaultAgent ${defaultAgentId} is not an agent`, undefined, 'defaultAgent');
    }
  }

  get(agentId: string): AgentConfig | undefined {
    return this.byId.get(agentId);
  }

  /** The agent that answers a called number: the number's own, else the default, else none. */
  forNumber(calledNumber: string): AgentConfig | undefined {
    return this.byNumber.get(calledNumber) ?? (this.defaultAgentId ? this.byId.get(this.defaultAgentId) : undefined);
  }

  all(): AgentConfig[] {
    return [...this.byId.values()];
  }
}

/** Parses an agents document (already read), naming the agent and field of the first mistake. */
export function parseAgents(document: unknown): AgentDirectory {
  const top = agentsFileSchema.safeParse(document);
  if (!top.success) {
    const issue = top.error.issues[0];
    throw new AgentConfigError(`agents file: ${issue.path.join('.') || '(top)'}: ${issue.message}`, undefined, issue.path.join('.'));
  }
  const agents = top.data.agents.map((raw, index) => {
    const parsed = agentSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const agentId = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : `#${index}`;
      const field = issue.path.join('.');
      throw new AgentConfigError(`agent ${agentId}: ${field || '(agent)'}: ${issue.message}`, agentId, field);
    }
    return parsed.data;
  });
  return new AgentDirectory(agents, top.data.defaultAgent);
}

export function loadAgentsFile(path: string): AgentDirectory {
  const raw = readFileSync(path, 'utf8');
  const document = extname(path).toLowerCase() === '.json' ? JSON.parse(raw) : parseYaml(raw);
  return parseAgents(document);
}

/** The directory used when no file is configured: one default agent with every default. */
export function defaultAgents(): AgentDirectory {
  return parseAgents({ defaultAgent: 'default', agents: [{ id: 'default' }] });
}
