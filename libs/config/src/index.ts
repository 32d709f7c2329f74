export * from './app-config';
export * from './agents';
