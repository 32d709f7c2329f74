import { ProviderTimeline } from './timeline/provider-timeline';
import { TelnyxSimulator } from './telnyx';
import { ElevenLabsSimulator } from './elevenlabs';
import { OpenAiSimulator } from './openai';
import { parseSandboxConfig } from './sandbox-config';

/**
 * The provider simulators in one process, sharing one timeline so the simulated caller's ear can tell
 * the providers' share of each turn from ours. Prints one `SANDBOX_READY {json}` line with the
 * endpoints (the launcher reads it), then runs until SIGTERM.
 */
async function main(): Promise<void> {
  const config = parseSandboxConfig(process.env.SANDBOX_CONFIG);
  const timeline = new ProviderTimeline();
  const openai = new OpenAiSimulator({
    host: config.host,
    port: config.openaiPort,
    apiKey: config.keys.openai,
    timeline,
    firstTokenLatencyMs: config.openai.firstTokenLatencyMs,
    tokensPerSecond: config.openai.tokensPerSecond,
  });
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
  const telnyx = new TelnyxSimulator({
    host: config.host,
    port: config.telnyxPort,
    apiKey: config.keys.telnyx,
    webhookUrl: config.webhookUrl,
    timeline,
    callerCodec: config.telnyx.callerCodec,
    caller: config.telnyx.callerPauseMs === undefined ? undefined : { pauseMs: config.telnyx.callerPauseMs },
  });
  const [llm, tts, tel] = await Promise.all([openai.start(), elevenlabs.start(), telnyx.start()]);
  const advertised = (url: string) => (config.host === '0.0.0.0' ? url.replace('0.0.0.0', '127.0.0.1') : url);
  const endpoints = {
    telnyxBaseUrl: advertised(tel.baseUrl),
    openaiBaseUrl: advertised(llm.url.endsWith('/v1') ? llm.url : `${llm.url}/v1`),
    elevenlabsBaseUrl: advertised(tts.url),
    controlUrl: advertised(tel.baseUrl.replace(/\/v2$/, '')),
    publicKey: telnyx.publicKeyBase64,
  };
  console.log(`SANDBOX_READY ${JSON.stringify(endpoints)}`);
  const stop = async () => {
    await Promise.allSettled([telnyx.close(), elevenlabs.close(), openai.close()]);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`sandbox failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
