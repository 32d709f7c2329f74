/**
 * REDIS_URL given by the caller of `npm test` is kept aside as TEST_REDIS_URL (see redis-server.ts);
 * otherwise every test file starts its own redis-server. Clearing REDIS_URL keeps a developer's
 * shell setting from leaking into the apps that end-to-end tests start.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.REDIS_URL && !process.env.TEST_REDIS_URL) process.env.TEST_REDIS_URL = process.env.REDIS_URL;
  delete process.env.REDIS_URL;
}
