/**
 * Where paging ends (got's `shouldContinue` and `countLimit`): the stop rule `stopWhen` first
 * (the call that fires it is not handed on), then `maxRecords`, then the end of the list.
 */
import type { CallLog } from './call-log.js';
import type { StopReason } from './events.js';
import type { FetchedPage } from './fetch-page.js';
import type { ResolvedOptions } from './options.js';

/** Why and where (start offset) a source stopped before the end of its view. */
export interface EarlyEnd {
  reason: StopReason;
  viewEnd: number;
}

/**
 * Cuts a page's records at the stop rule, then at the room left under `maxRecords`.
 * `handedOn`: records handed on before this page; `position`: start offset just after the last.
 */
export function applyStopRules(
  page: { records: CallLog[]; offsets: number[] },
  options: ResolvedOptions,
  handedOn: number,
  position: number,
): { records: CallLog[]; offsets: number[]; end: EarlyEnd | undefined } {
  let { records, offsets } = page;
  let end: EarlyEnd | undefined;
  if (options.stopWhen) {
    const at = page.records.findIndex((call) => options.stopWhen?.(call) === true);
    if (at >= 0) {
      records = page.records.slice(0, at);
      offsets = page.offsets.slice(0, at);
      end = { reason: 'stopWhen', viewEnd: page.offsets[at] as number };
    }
  }
  const room = options.maxRecords - handedOn;
  if (records.length > room || (end === undefined && records.length === room)) {
    records = records.slice(0, room);
    offsets = offsets.slice(0, room);
    end = { reason: 'maxRecords', viewEnd: (offsets[offsets.length - 1] ?? position - 1) + 1 };
  }
  return { records, offsets, end };
}

/**
 * True when `fetched` is the list's last page: empty, or short and consistent with
 * `total_records`. A page that stayed suspiciously short (fetch-page.ts) does not end the export
 * while the plan says more pages exist: the next page's gap check refetches it.
 */
export function endsTheList(
  fetched: FetchedPage,
  pageno: number,
  planned: number,
  pageSize: number,
): boolean {
  const isShort = fetched.records.length < pageSize;
  return fetched.records.length === 0 || (isShort && !(fetched.short && pageno < planned));
}
