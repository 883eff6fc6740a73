/**
 * Drift of the call list while an export pages through it, as on the real API: new calls
 * arrive at the head (shifting every later page), older calls are deleted further down.
 */
import type { CallStore } from './call-store.js';
import type { SimulatorStats } from './options.js';
import type { ResolvedSimulatorOptions } from './resolve-options.js';

export class CallDrift {
  #driftInserted = 0;

  constructor(
    private readonly store: CallStore,
    private readonly settings: ResolvedSimulatorOptions['drift'],
    private readonly stats: SimulatorStats,
  ) {}

  /** Adds `count` newer calls at the head; returns their ids. */
  insert(count: number): number[] {
    const ids = this.store.insert(count);
    this.stats.inserted += ids.length;
    return ids;
  }

  /** Drift after a list page was served: new calls at the head, deletions further down. */
  afterPage(): void {
    const room = this.settings.maxInserted - this.#driftInserted;
    const n = Math.min(this.settings.insertPerPage, room);
    if (n > 0) {
      this.#driftInserted += n;
      this.insert(n);
    }
    if (this.settings.deletePerPage > 0) {
      this.stats.deleted += this.store.deleteOlder(this.settings.deletePerPage).length;
    }
  }
}
