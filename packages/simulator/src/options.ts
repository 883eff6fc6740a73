/**
 * Options of {@link startSimulator}. This file is the contract between the simulator and every
 * test, example and benchmark that drives it.
 */

/** Faults the simulator can inject into a `GET /calls/logs` response. */
export type FaultKind =
  | '429' // 429 with Retry-After (seconds; see retryAfterSeconds) and a JSON error body
  | '500' // 500 with the Odoo-style JSON error body
  | '502'
  | '503'
  | '504'
  | 'reset' // socket destroyed before any response bytes
  | 'truncate' // 200, correct headers, body cut in the middle, then the socket is destroyed
  | 'html200' // 200 with an HTML page (Odoo login/error page) instead of JSON
  | 'error200' // 200 with {"status":"error","message":"..."}
  | 'slow' // 200 with the body dribbled out in small chunks over slowBodyMs
  | 'stall' // no response byte for stallMs (headers held back), then served normally: header timeouts
  | 'short'; // 200, valid JSON, one record of a non-empty page silently missing (completeness tests)

export interface FaultOptions {
  /** Probability (0..1) that a list request gets a fault, chosen with the seeded RNG. Default 0. */
  rate?: number;
  /**
   * Kinds drawn from when `rate` fires. Default: all kinds except 'slow' and 'short' ('short'
   * loses data silently, so random faults would make every completeness check fail).
   */
  kinds?: FaultKind[];
  /**
   * Deterministic plan: called for every list request (1-based `request` counter over the
   * server's life, and the requested `pageno`); returning a kind injects it, `null` serves
   * normally. Takes precedence over `rate`.
   */
  plan?: (request: number, pageno: number) => FaultKind | null;
  /** Retry-After value sent with '429' (and '503' with retryAfterOn503). Default 1. May be 0. */
  retryAfterSeconds?: number;
  /**
   * Also send Retry-After with '503'. RFC 9110 §15.6.4 allows it and a proxy in front of the API
   * may send it; the API itself documents no Retry-After at all (docs/api-notes.md). Default false.
   */
  retryAfterOn503?: boolean;
  /** Total time over which 'slow' bodies are sent. Default 500. */
  slowBodyMs?: number;
  /** How long a 'stall' holds back the response headers. Default 500. */
  stallMs?: number;
}

export interface DriftOptions {
  /** New calls inserted at the head of the list after every Nth page served. Default 0 (off). */
  insertPerPage?: number;
  /** Calls deleted (from the older part of the list) after every page served. Default 0. */
  deletePerPage?: number;
  /** Stop drifting after this many calls were inserted. Default Infinity. */
  maxInserted?: number;
}

/**
 * Odd but possible call-log shapes (docs/api-notes.md: every field optional, `false`/`null` for empty,
 * fields added over time), and a few broken records ('no-id', 'not-an-object') an exporter must
 * quarantine. Chosen per call from the seed, independently of the call's own data.
 */
export type OddShape =
  | 'missing-fields' // time_of_call, call_status, … and post_call_actions absent
  | 'null-objects' // null where objects/arrays are expected
  | 'interactions-false' // interactions: false, post_call_actions: false
  | 'numbers-as-strings' // "123" for numeric fields, top level and per turn
  | 'huge-transcript' // call_conversation of hugeTranscriptBytes with NUL, emoji, CRLF, quotes
  | 'unknown-nested' // unknown fields at the top level and nested in turns and webhooks
  | 'formula-text' // =cmd / +1+1 / @SUM text (CSV injection)
  | 'id-as-string' // id as a numeric string
  | 'hostile-paths' // ../ in bot_name and friends, a crafted time_of_call
  | 'no-id' // broken: the id field is missing
  | 'not-an-object'; // broken: null, a string, an array or a number instead of an object

export interface OddRecordOptions {
  /** Probability (0..1) that a call is served in an odd shape, seeded per call. Default 0. */
  rate?: number;
  /** Shapes drawn from. Default: every shape. */
  shapes?: OddShape[];
  /** Size of a 'huge-transcript' transcript, in bytes. Default 200 000. */
  hugeTranscriptBytes?: number;
}

export interface SimulatorOptions {
  /** Seed of the deterministic data generator. Default 1. */
  seed?: number;
  /**
   * Number of calls in the history. The same seed and a larger count give the same history plus
   * newer calls (ids ascend with time; the list is served newest first). Default 500.
   */
  records?: number;
  /** The Bearer token the server accepts. Default 'sim-key-0000'. */
  apiKey?: string;
  /** 127.0.0.1 only; the port, 0 = any free port. Default 0. */
  port?: number;
  /** Delay before each list response, in ms. Default 0. */
  pageLatencyMs?: number;
  /**
   * Deterministic serve order (tests): called for every list request (the same `request`
   * counter as `faults.plan`, the `pageno` and `pagesize`) just before its page is read; the
   * page is read, and the list drifts, once the returned promise settles. Releasing held
   * requests one after the other fixes the order in which the server serves parallel requests,
   * which over real connections the client does not control. Default: none.
   */
  serveGate?: (request: number, pageno: number, pagesize: number) => Promise<void> | undefined;
  faults?: FaultOptions;
  drift?: DriftOptions;
  oddRecords?: OddRecordOptions;
}

/** Counters exposed for tests and benchmarks; live object, read any time. */
export interface SimulatorStats {
  /** Every HTTP request received, any path. */
  requests: number;
  /** `GET /calls/logs` list requests received. */
  listRequests: number;
  /** Requests in flight right now, and the most seen at once. */
  inFlight: number;
  maxInFlight: number;
  /** Faults injected, by kind. */
  faults: Partial<Record<FaultKind, number>>;
  /** Total faults injected. */
  faultsInjected: number;
  /** Calls inserted / deleted by drift so far. */
  inserted: number;
  deleted: number;
  /** `pageno` of each list request, in arrival order (for paging assertions). */
  pagesRequested: number[];
}

export interface RunningSimulator {
  /** Base URL including the API prefix, e.g. `http://127.0.0.1:54321/api/v1`. */
  url: string;
  apiKey: string;
  stats: SimulatorStats;
  /** Ids of every call currently in the list, newest first. */
  ids(): number[];
  /**
   * The odd shape of every live call served in one (see `oddRecords`), by id, newest first.
   * Empty when `oddRecords.rate` is 0.
   */
  oddShapes(): Map<number, OddShape>;
  /** Adds `count` newer calls at the head (as new calls arriving); returns their ids. */
  insertCalls(count: number): number[];
  /**
   * Changes calls already in the history, as the real API does when recordings and webhook
   * deliveries complete later (docs/api-notes.md). `patch` receives each call log (a fresh copy the first
   * time, the stored one after) and mutates it; later responses serve the patched log. Changing
   * `call_status` also changes what the `call_status` filter matches. Returns the ids that
   * exist (unknown or deleted ids are skipped).
   */
  updateCalls(ids: readonly number[], patch: (log: Record<string, unknown>) => void): number[];
  /** Stops the server and destroys open sockets. Safe to call more than once. */
  close(): Promise<void>;
}
