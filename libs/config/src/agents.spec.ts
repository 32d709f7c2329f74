import { AgentConfigError, defaultAgents, parseAgents } from './agents';
import { loadConfig } from './app-config';

describe('agents file', () => {
  it('fills defaults and routes by called number, falling back to the default agent', () => {
    const dir = parseAgents({ defaultAgent: 'a', agents: [{ id: 'a' }, { id: 'b', numbers: ['+1555'] }] });
    expect(dir.forNumber('+1555')?.id).toBe('b');
    expect(dir.forNumber('+1999')?.id).toBe('a');
    expect(dir.get('a')?.tts.usePersistentTts).toBe(true);
    expect(dir.get('a')?.tts.outputFormat).toBe('ulaw_8000');
    expect(dir.get('a')?.playback.mode).toBe('stream');
  });

  it('answers no agent for an unknown number when there is no default', () => {
    expect(parseAgents({ agents: [{ id: 'a', numbers: ['+1'] }] }).forNumber('+2')).toBeUndefined();
  });

  it.each([
    [{ agents: [{ id: 'a', llm: { temperature: 5 } }] }, 'a', 'llm.temperature'],
    [{ agents: [{ id: 'a', tts: { outputFormat: 'wav' } }] }, 'a', 'tts.outputFormat'],
    [{ agents: [{ id: 'b', llm: { apiKeyEnv: 'sk-123' } }] }, 'b', 'llm.apiKeyEnv'],
    [{ agents: [{ id: 'c', apiKey: 'sk-secret' }] }, 'c', ''],
    [{ agents: [{ id: 'd', bargeIn: { minWords: 0 } }] }, 'd', 'bargeIn.minWords'],
  ])('names the agent and the field of a mistake (%#)', (doc, agentId, field) => {
    try {
      parseAgents(doc);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(AgentConfigError);
      expect((error as AgentConfigError).agentId).toBe(agentId);
      expect((error as AgentConfigError).field).toBe(field);
      expect((error as Error).message).toContain(`agent ${agentId}`);
    }
  });

  it('refuses duplicate ids, shared numbers and an unknown default', () => {
    expect(() => parseAgents({ agents: [{ id: 'a' }, { id: 'a' }] })).toThrow(/duplicate/);
    expect(() => parseAgents({ agents: [{ id: 'a', numbers: ['1'] }, { id: 'b', numbers: ['1'] }] })).toThrow(/already belongs/);
    expect(() => parseAgents({ defaultAgent: 'x', agents: [{ id: 'a' }] })).toThrow(/defaultAgent/);
  });

  it('has a usable built-in default', () => {
    expect(defaultAgents().forNumber('+anything')?.id).toBe('default');
  });
});

describe('process config', () => {
  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ GATEWAY_PORT: 'eighty' })).toThrow(/GATEWAY_PORT/);
    expect(() => loadConfig({ TTS_SHARDS: '0' })).toThrow(/TTS_SHARDS/);
  });
  it('treats an empty variable as unset', () => {
    expect(loadConfig({ MEDIA_PUBLIC_URL: '', GATEWAY_PORT: '' }).MEDIA_PUBLIC_URL).toBeUndefined();
    expect(loadConfig({ GATEWAY_PORT: '' }).GATEWAY_PORT).toBe(3000);
  });
  it('applies defaults', () => {
    const config = loadConfig({});
    expect(config.GATEWAY_PORT).toBe(3000);
    expect(config.PLAYBACK_PORT).toBe(3002);
    expect(config.WEBHOOK_SIGNATURE_CHECK).toBe(true);
    expect(config.TTS_SHARDS).toBe(64);
  });
});
