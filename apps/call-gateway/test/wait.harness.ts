/** How long a real-time wait for the gateway's asynchronous work may take before the test fails. */
export const WAIT_MS = 5_000;

/** Polls an asynchronous check in real time until it yields a value (for the gateway's bus-driven work). */
export async function waitUntil<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Real time passes (to show that something does NOT happen). */
export const settle = (ms = 200): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops an in-process app the way `RunningApp.stop()` does, without its SIGTERM guard: that guard
 * (libs/core bootstrap) arms a 10 s `process.exit(1)` that is never cleared, which is harmless in a
 * process about to exit but kills a jest worker that goes on with the next test file.
 */
export async function stopInProcess(running: { app: { close(): Promise<void> }; runtime: { close(): Promise<void> } }): Promise<void> {
  await running.app.close();
  await running.runtime.close();
}
