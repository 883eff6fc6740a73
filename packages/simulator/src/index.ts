export type { SimulatorCliIo } from './cli.js';
export { runSimulatorCli } from './cli.js';
export type { SimulatorFlag } from './cli-flags.js';
export { KINDS_ONLY_FAULT_RATE, SIMULATOR_FLAGS, simulatorOptionsFromFlags } from './cli-flags.js';
export type { CallMeta, SimCallLog, SimCallStatus } from './generate-call-log.js';
export {
  callMeta,
  formatCallTime,
  formatDuration,
  formatWebhookTime,
  generateCallLog,
  generateHistory,
  indexOfId,
  SIM_AGENTS,
} from './generate-call-log.js';
export { applyOddShape, BROKEN_ODD_SHAPES, ODD_SHAPES, oddShapeFor } from './odd-records.js';
export type {
  DriftOptions,
  FaultKind,
  FaultOptions,
  OddRecordOptions,
  OddShape,
  RunningSimulator,
  SimulatorOptions,
  SimulatorStats,
} from './options.js';
export { mulberry32, type Random } from './prng.js';
export { DEFAULT_RANDOM_FAULT_KINDS, FAULT_KINDS, SIMULATOR_DEFAULTS } from './resolve-options.js';
export type { ServeOrder } from './serve-order.js';
export { seededRank, serveOrder } from './serve-order.js';
export { startSimulator } from './start-simulator.js';
