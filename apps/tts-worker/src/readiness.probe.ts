/**
 * Readiness of the tts-worker, known only once Nest has built the shard service, while CoreModule's
 * checks are given when the module is built: this holder connects the two.
 */
export class ReadinessProbe {
  private source: () => string | undefined = () => 'starting';

  use(source: () => string | undefined): void {
    this.source = source;
  }

  check(): string | undefined {
    return this.source();
  }
}
