/** Injection tokens for the process-wide providers every app shares. */
export const CONFIG = Symbol('CONFIG');
export const LOGGER = Symbol('LOGGER');
export const REDIS = Symbol('REDIS');
export const AGENTS = Symbol('AGENTS');
export const APP_RUNTIME = Symbol('APP_RUNTIME');
export const STREAMS_CONTROL = Symbol('STREAMS_CONTROL');
export { CLOCK } from '@app/clock';
export { PUBLISHER } from '@app/bus';
