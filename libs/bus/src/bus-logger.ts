/**
 * The logging the bus needs: pino's shape (a fields object first, then a fixed message), so the apps
 * pass their pino logger as is and tests pass a recorder.
 */
export interface BusLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const ignore = (): void => undefined;

/** For callers that do not care (scripts, tests that assert on Redis instead of logs). */
export const silentBusLogger: BusLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
