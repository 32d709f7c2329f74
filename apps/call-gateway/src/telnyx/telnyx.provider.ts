import { Provider } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { AppLogger } from '@app/telemetry';
import { TelnyxCommands } from '@app/telnyx';
import { CONFIG, LOGGER } from '@app/core';

export const TELNYX_COMMANDS = Symbol('TELNYX_COMMANDS');

export const telnyxCommandsProvider: Provider = {
  provide: TELNYX_COMMANDS,
  inject: [CONFIG, LOGGER],
  useFactory: (config: AppConfig, logger: AppLogger) =>
    new TelnyxCommands({ apiKey: config.TELNYX_API_KEY ?? 'unset', baseURL: config.TELNYX_BASE_URL, logger }),
};
