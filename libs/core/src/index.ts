export * from './tokens';
export * from './app-runtime';
export * from './core.module';
export * from './health.controller';
export * from './bootstrap';
export * from './metrics.controller';
