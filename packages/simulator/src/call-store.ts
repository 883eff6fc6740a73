/**
 * The simulator's mutable list of calls: which generated calls currently exist (drift inserts
 * and deletes), patched calls, and newest-first paging with the API's filters. Call bodies are
 * built lazily per page and their JSON is cached, so a 200k-call history costs only metadata.
 */
import { buildCallLog, type CallMeta, callMeta, indexOfId, type SimCallLog } from './generate-call-log.js';
import { applyOddShape, type OddRecordSettings, oddShapeFor } from './odd-records.js';
import type { OddShape } from './options.js';
import { mixSeed, mulberry32, type Random } from './prng.js';

/** Filters of `GET /calls/logs`, already parsed. `null` = not filtered. */
export interface ListFilters {
  agentId: number | null;
  callStatus: string | null;
  bulkCallId: number | null;
}

/** One page: each record's JSON text, newest first, and the count matching the filters. */
export interface StorePage {
  records: string[];
  total: number;
}

const JSON_CACHE_LIMIT = 4_000;
const FILTER_CACHE_LIMIT = 32;

export class CallStore {
  readonly #seed: number;
  /** Metadata by generated index (sparse only if someone asks for an index past `next`). */
  readonly #meta: CallMeta[] = [];
  /** Indexes of live calls, ascending (= ids ascending, oldest first). */
  #live: number[] = [];
  #liveSet = new Set<number>();
  #next: number;
  readonly #patched = new Map<number, SimCallLog>();
  readonly #json = new Map<number, string>();
  readonly #filtered = new Map<string, number[]>();
  readonly #deleteRng: Random;
  readonly #odd: OddRecordSettings;

  constructor(
    seed: number,
    records: number,
    odd: OddRecordSettings = { rate: 0, shapes: [], hugeTranscriptBytes: 0 },
  ) {
    this.#seed = seed;
    this.#odd = odd;
    this.#next = records;
    for (let i = 0; i < records; i++) {
      this.#meta.push(callMeta(seed, i));
      this.#live.push(i);
      this.#liveSet.add(i);
    }
    this.#deleteRng = mulberry32(mixSeed(seed, 0, 7));
  }

  /** Number of live calls. */
  get size(): number {
    return this.#live.length;
  }

  /** Ids of live calls, newest first. */
  ids(): number[] {
    const out: number[] = new Array(this.#live.length);
    for (let i = 0; i < this.#live.length; i++)
      out[i] = this.#metaOf(this.#live[this.#live.length - 1 - i] as number).id;
    return out;
  }

  /** Odd shapes of live calls by id, newest first (empty when odd records are off). */
  oddShapes(): Map<number, OddShape> {
    const out = new Map<number, OddShape>();
    if (this.#odd.rate <= 0) return out;
    for (let i = this.#live.length - 1; i >= 0; i--) {
      const index = this.#live[i] as number;
      const shape = oddShapeFor(this.#seed, index, this.#odd);
      if (shape) out.set(this.#metaOf(index).id, shape);
    }
    return out;
  }

  /** Appends `count` newer calls (the continuation of the generated sequence); returns their ids. */
  insert(count: number): number[] {
    const ids: number[] = [];
    for (let k = 0; k < count; k++) {
      const index = this.#next++;
      const meta = this.#metaOf(index);
      this.#live.push(index);
      this.#liveSet.add(index);
      ids.push(meta.id);
    }
    if (count > 0) this.#filtered.clear();
    return ids;
  }

  /** Deletes `count` calls picked (seeded) from the older half of the list; returns their ids. */
  deleteOlder(count: number): number[] {
    const ids: number[] = [];
    for (let k = 0; k < count && this.#live.length >= 2; k++) {
      const pos = Math.floor(this.#deleteRng() * Math.floor(this.#live.length / 2));
      const [index] = this.#live.splice(pos, 1) as [number];
      this.#liveSet.delete(index);
      this.#patched.delete(index);
      this.#json.delete(index);
      ids.push(this.#metaOf(index).id);
    }
    if (ids.length > 0) this.#filtered.clear();
    return ids;
  }

  /** Applies `patch` to each live call with one of these ids; returns the ids patched. */
  update(ids: readonly number[], patch: (log: Record<string, unknown>) => void): number[] {
    const done: number[] = [];
    for (const id of ids) {
      const index = indexOfId(this.#seed, id);
      if (index < 0 || !this.#liveSet.has(index)) continue;
      const log = this.#patched.get(index) ?? buildCallLog(this.#seed, this.#metaOf(index));
      patch(log);
      this.#patched.set(index, log);
      this.#json.delete(index);
      done.push(id);
    }
    if (done.length > 0) this.#filtered.clear();
    return done;
  }

  /** The JSON text of the live call with this id, or undefined. */
  jsonById(id: number): string | undefined {
    const index = indexOfId(this.#seed, id);
    return index >= 0 && this.#liveSet.has(index) ? this.#jsonOf(index) : undefined;
  }

  /** Page `pageno` (1-based) of `pagesize` calls matching `filters`, newest first. */
  page(filters: ListFilters, pageno: number, pagesize: number): StorePage {
    const list = this.#matching(filters);
    const end = list.length - (pageno - 1) * pagesize; // exclusive, counted from the oldest
    const records: string[] = [];
    for (let pos = end - 1; pos >= 0 && pos >= end - pagesize; pos--)
      records.push(this.#jsonOf(list[pos] as number));
    return { records, total: list.length };
  }

  /** The call log as served: patched or generated, then made odd when `oddRecords` picks it. */
  #served(index: number): unknown {
    const patched = this.#patched.get(index);
    const shape = this.#odd.rate > 0 ? oddShapeFor(this.#seed, index, this.#odd) : null;
    if (!shape) return patched ?? buildCallLog(this.#seed, this.#metaOf(index));
    // Odd shapes mutate: never the stored patched log itself.
    const log = patched ? structuredClone(patched) : buildCallLog(this.#seed, this.#metaOf(index));
    return applyOddShape(log, shape, this.#seed, index, this.#odd.hugeTranscriptBytes);
  }

  #matching(filters: ListFilters): number[] {
    if (filters.agentId === null && filters.callStatus === null && filters.bulkCallId === null)
      return this.#live;
    const key = `${filters.agentId}|${filters.callStatus}|${filters.bulkCallId}`;
    const cached = this.#filtered.get(key);
    if (cached) return cached;
    const out = this.#live.filter((index) => {
      const meta = this.#metaOf(index);
      if (filters.agentId !== null && meta.agentId !== filters.agentId) return false;
      if (filters.bulkCallId !== null && meta.bulkCallId !== filters.bulkCallId) return false;
      if (filters.callStatus !== null && this.#statusOf(index, meta) !== filters.callStatus) return false;
      return true;
    });
    if (this.#filtered.size >= FILTER_CACHE_LIMIT) this.#filtered.clear();
    this.#filtered.set(key, out);
    return out;
  }

  #statusOf(index: number, meta: CallMeta): unknown {
    const patched = this.#patched.get(index);
    return patched ? patched['call_status'] : meta.status;
  }

  #metaOf(index: number): CallMeta {
    let meta = this.#meta[index];
    if (!meta) {
      meta = callMeta(this.#seed, index);
      this.#meta[index] = meta;
    }
    return meta;
  }

  #jsonOf(index: number): string {
    let text = this.#json.get(index);
    if (text !== undefined) {
      // Refresh LRU position.
      this.#json.delete(index);
      this.#json.set(index, text);
      return text;
    }
    text = JSON.stringify(this.#served(index));
    if (this.#json.size >= JSON_CACHE_LIMIT) {
      const oldest = this.#json.keys().next().value as number;
      this.#json.delete(oldest);
    }
    this.#json.set(index, text);
    return text;
  }
}
