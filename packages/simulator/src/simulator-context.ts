/** What every request handler of one running simulator shares. */
import type { CallDrift } from './call-drift.js';
import type { CallStore } from './call-store.js';
import type { FaultChooser } from './fault-injection.js';
import type { SimulatorStats } from './options.js';
import type { ResolvedSimulatorOptions } from './resolve-options.js';
import type { Wait } from './server-lifecycle.js';

export interface SimulatorContext {
  readonly opts: ResolvedSimulatorOptions;
  readonly store: CallStore;
  readonly stats: SimulatorStats;
  readonly drift: CallDrift;
  readonly chooseFault: FaultChooser;
  readonly wait: Wait;
}
