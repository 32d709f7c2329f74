/**
 * Group entries this instance has been delivered and not yet settled (acked, dead-lettered or failed):
 * queued behind their call's earlier entries, or running. They sit in the group's pending list under
 * our name, and their idle time there grows while we work on them; the reclaimer refreshes that idle
 * time for entries held long, so other consumers do not take a live entry for a dead one's.
 */
export interface HeldEntry {
  stream: string;
  group: string;
  id: string;
  /** Clock time of the delivery, or of the last refresh of its pending idle time. */
  since: number;
}

export class HeldEntries {
  private readonly entries = new Map<string, HeldEntry>();

  hold(stream: string, group: string, id: string, now: number): void {
    this.entries.set(keyOf(stream, group, id), { stream, group, id, since: now });
  }

  has(stream: string, group: string, id: string): boolean {
    return this.entries.has(keyOf(stream, group, id));
  }

  release(stream: string, group: string, id: string): void {
    this.entries.delete(keyOf(stream, group, id));
  }

  /** Entries held since before `before`, grouped by (stream, group) for one XCLAIM each. */
  heldSince(before: number): Array<{ stream: string; group: string; ids: string[] }> {
    const groups = new Map<string, { stream: string; group: string; ids: string[] }>();
    for (const entry of this.entries.values()) {
      if (entry.since > before) continue;
      const key = `${entry.stream}\u0000${entry.group}`;
      let batch = groups.get(key);
      if (!batch) groups.set(key, (batch = { stream: entry.stream, group: entry.group, ids: [] }));
      batch.ids.push(entry.id);
    }
    return [...groups.values()];
  }

  refreshed(stream: string, group: string, ids: string[], now: number): void {
    for (const id of ids) {
      const entry = this.entries.get(keyOf(stream, group, id));
      if (entry) entry.since = now;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

const keyOf = (stream: string, group: string, id: string): string => `${stream}\u0000${group}\u0000${id}`;
