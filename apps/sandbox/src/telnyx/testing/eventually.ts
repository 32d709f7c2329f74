/** Polls `check` in real time until it holds (for real I/O: sockets, HTTP), failing after `timeoutMs`. */
export const EVENTUALLY_TIMEOUT_MS = 3_000;
const POLL_MS = 2;

export async function eventually<T>(check: () => T | undefined | false, what: string, timeoutMs = EVENTUALLY_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
