import { AppConfig, ConfigError } from '@app/config';
import { publicKeyFromBase64 } from './webhook/webhook-signature.verifier';

/**
 * The gateway's own settings, checked once at start, before Nest builds anything, so a mistake stops
 * the process with one plain line naming the variable (`call-gateway failed to start: config: ...`).
 */
export function checkGatewayConfig(config: AppConfig): void {
  if (!config.WEBHOOK_SIGNATURE_CHECK) return;
  if (!config.TELNYX_PUBLIC_KEY) throw new ConfigError('TELNYX_PUBLIC_KEY', 'required while WEBHOOK_SIGNATURE_CHECK is on');
  try {
    publicKeyFromBase64(config.TELNYX_PUBLIC_KEY);
  } catch (error) {
    throw new ConfigError('TELNYX_PUBLIC_KEY', error instanceof Error ? error.message : String(error));
  }
}
