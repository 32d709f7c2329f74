export default async function globalTeardown(): Promise<void> {
  // Each test file stops what it started; nothing global to undo.
}
