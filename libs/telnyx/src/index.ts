export * from './telnyx-commands';
