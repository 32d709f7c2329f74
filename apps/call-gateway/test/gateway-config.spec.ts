import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceUnavailableException } from '@nestjs/common';
import { AgentConfigError, loadConfig } from '@app/config';
import { bootstrapApp } from '@app/core';
import { GATEWAY_INBOX_STREAM } from '@app/contracts';
import { telnyxEvent, telnyxKeyPair } from '../../../test/support/telnyx-webhooks';
import { startTestRedis } from '../../../test/support/redis-server';
import { callGatewayApp } from '../src/main';
import { checkGatewayConfig } from '../src/gateway-config';
import { stopInProcess } from './wait.harness';
import { OutboundDialerService } from '../src/outbound/outbound-dialer.service';

/**
 * The gateway refuses to start on a configuration mistake, naming what is wrong: the agents file
 * (YAML or JSON) with the agent and the field, and settings that only make sense together.
 */
describe('gateway configuration at start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-agents-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it.each([
    ['a YAML file', 'agents.yaml', 'agents:\n  - id: sales\n    llm: { temperature: 5 }\n', 'sales', 'llm.temperature'],
    ['a JSON file', 'agents.json', JSON.stringify({ agents: [{ id: 'support', deadAir: { hangupAfter: 0 } }] }), 'support', 'deadAir.hangupAfter'],
    ['an inline secret', 'secret.yaml', 'agents:\n  - id: billing\n    tts: { apiKeyEnv: "sk_live_123" }\n', 'billing', 'tts.apiKeyEnv'],
  ])('does not start with a mistake in %s, and names the agent and the field', async (_name, fileName, text, agentId, field) => {
    const start = bootstrapApp(callGatewayApp, { AGENTS_FILE: file(fileName, text), LOG_LEVEL: 'silent', GATEWAY_PORT: '0' });
    await expect(start).rejects.toBeInstanceOf(AgentConfigError);
    await expect(start).rejects.toMatchObject({ agentId, field });
    await expect(start).rejects.toThrow(new RegExp(`agent ${agentId}: ${field.replace('.', '\\.')}`));
  });

  it('starts without the Call Control App to dial on, but says so and answers outbound requests 503', async () => {
    const config = loadConfig({ OUTBOUND_API_TOKEN: 'token-token-token' });
    const logger = { warn: jest.fn(), error: jest.fn() };
    const dialer = new OutboundDialerService({} as never, {} as never, {} as never, {} as never, config, {} as never, logger as never);
    expect(logger.error).toHaveBeenCalledWith({ setting: 'TELNYX_CONNECTION_ID' }, expect.stringContaining('outbound calls are disabled'));
    const dial = dialer.dial({ to: '+15551230000', from: '+15551230001', agentId: 'main' });
    await expect(dial).rejects.toBeInstanceOf(ServiceUnavailableException);
    await expect(dial).rejects.toMatchObject({ response: { error: expect.stringContaining('TELNYX_CONNECTION_ID') } });
  });

  it.each([
    ['no key', {}, /TELNYX_PUBLIC_KEY: required while WEBHOOK_SIGNATURE_CHECK is on/],
    ['a key that is not 32 bytes', { TELNYX_PUBLIC_KEY: Buffer.alloc(16).toString('base64') }, /TELNYX_PUBLIC_KEY: .*32-byte/],
  ])('refuses to check signatures with %s, naming the variable', (_name, env, message) => {
    expect(() => checkGatewayConfig(loadConfig(env))).toThrow(message);
    expect(() => checkGatewayConfig(loadConfig({ ...env, WEBHOOK_SIGNATURE_CHECK: 'false' }))).not.toThrow();
    expect(() => checkGatewayConfig(loadConfig({ TELNYX_PUBLIC_KEY: telnyxKeyPair().publicKeyBase64 }))).not.toThrow();
  });

  it('switches the signature check off only when told, with a loud warning at start', async () => {
    const redis = await startTestRedis();
    const warnings: string[] = [];
    const gateway = await bootstrapApp(
      {
        ...callGatewayApp,
        module: (runtime) => {
          jest.spyOn(runtime.logger, 'warn').mockImplementation(((_fields: unknown, message: string) => void warnings.push(message)) as never);
          return callGatewayApp.module(runtime);
        },
      },
      { REDIS_URL: redis.url, GATEWAY_PORT: '0', LOG_LEVEL: 'silent', WEBHOOK_SIGNATURE_CHECK: 'false' },
    );
    try {
      expect(warnings).toContain('WEBHOOK SIGNATURES ARE NOT CHECKED: anyone can drive calls');
      const body = telnyxEvent('call.dtmf.received', { call_control_id: 'v3:unsigned', digit: '5' });
      const res = await fetch(`http://127.0.0.1:${gateway.port}/webhooks/telnyx`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(200);
      expect(await gateway.runtime.redis.xlen(GATEWAY_INBOX_STREAM)).toBe(1);
    } finally {
      await stopInProcess(gateway);
      await redis.stop();
    }
  });
});
