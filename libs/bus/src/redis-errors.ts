/**
 * Redis error replies, classified once here. By protocol an error reply starts with an upper-case code
 * word ("NOGROUP No such key ...", "BUSYGROUP Consumer Group name already exists"); the code is the
 * stable part, the rest is prose that may change between versions, so only the code is compared.
 */
const ERROR_CODE = /^([A-Z][A-Z0-9_]*)\b/;

export function redisErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== 'ReplyError') return undefined;
  return ERROR_CODE.exec(error.message)?.[1];
}

/** The stream or its consumer group does not exist (Redis lost its data, or the stream was deleted). */
export const isNoGroupError = (error: unknown): boolean => redisErrorCode(error) === 'NOGROUP';

/** XGROUP CREATE on a group that already exists: the state we wanted. */
export const isBusyGroupError = (error: unknown): boolean => redisErrorCode(error) === 'BUSYGROUP';
