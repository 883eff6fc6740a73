/**
 * Reconciliation of one page in the loop (drift.ts): offers it to the reconciler, performs the
 * gap refetches and boundary probes it asks for (bounded by `maxRefetchesPerGap`), and collects
 * what to pass on, refetched rows first.
 */
import type { CallLog } from './call-log.js';
import type { EngineRun } from './engine-run.js';
import type { SequencedPage } from './page-requests.js';

/** What a page contributes, before the stop rules. */
export interface ReconciledPage {
  records: CallLog[];
  /** Start offset of each record. */
  offsets: number[];
  /** Page numbers refetched before this page to close a drift gap. */
  refetched: number[];
}

/** Reconciles `fetched` (page `pageno`), refetching to close drift gaps. */
export async function reconcilePage(
  run: EngineRun,
  pageno: number,
  fetched: SequencedPage,
): Promise<ReconciledPage> {
  const { reconciler, options, stats } = run;
  const records: CallLog[] = [];
  const offsets: number[] = [];
  const refetched: number[] = [];
  let seq = fetched.seq;
  // Current offset up to which the list was read before this page (stale-pages.ts).
  const coveredBefore = reconciler.covered + reconciler.latestShift;
  let decision = reconciler.accept(fetched);
  while (decision.kind === 'refetch') {
    for (const e of decision.events) run.emit.drift(e);
    if (refetched.length >= options.maxRefetchesPerGap) {
      decision = reconciler.accept(fetched, true);
      break;
    }
    stats.refetches += 1;
    refetched.push(decision.refetchPage);
    const again = await run.requests.request(decision.refetchPage, decision.pageSize);
    seq = Math.max(seq, again.seq);
    run.noteShortfall(again);
    run.view.maxTotal = Math.max(run.view.maxTotal, again.total_records);
    const inner = reconciler.acceptRefetch(again);
    for (const e of inner.events) run.emit.drift(e);
    run.note(again, inner.kind === 'accept' ? inner.records.length : 0, true);
    // The stale copy of this page is reconciled again below: once the gap is closed its
    // rows are either duplicates (dropped) or follow the new anchor.
    if (inner.kind === 'accept') {
      records.push(...inner.records);
      offsets.push(...inner.offsets);
    }
    decision = reconciler.accept(fetched);
  }
  const accepted = decision.kind === 'accept' ? decision : undefined;
  if (accepted) {
    for (const e of accepted.events) run.emit.drift(e);
    records.push(...accepted.records);
    offsets.push(...accepted.offsets);
  }
  run.note(fetched, accepted?.records.length ?? 0, false);
  run.syncStats();
  run.staleGuard.page(pageno, {
    handedOn: records.length,
    catchingUp: (pageno - 1) * options.pageSize < coveredBefore,
    total: fetched.total_records,
    sentAfter: fetched.sentAfter,
    seq,
  });
  return { records, offsets, refetched };
}
