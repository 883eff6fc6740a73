/**
 * Fields the API fills in after a call ends (the recording, a webhook's status): the change an
 * incremental run must pick up inside its lookback window and merge into the lake (issue 16).
 */
import type { RunningSimulator } from '@omnidim-stream/simulator';

/**
 * Sets a recognisable recording URL (`…/<id>/<version>.wav`) and the first webhook's status
 * (`sent-<version>`) on the calls `ids`, and records the URL each call must now show in `expected`.
 */
export function fillInLater(
  sim: RunningSimulator,
  ids: number[],
  version: string,
  expected: Map<number, string>,
): void {
  sim.updateCalls(ids, (log) => {
    log['recording_url'] = `https://recordings.example/${log['id']}/${version}.wav`;
    const hooks = (log['post_call_actions'] as { call_recording_webhook_ids?: Record<string, unknown>[] })
      ?.call_recording_webhook_ids;
    if (hooks?.[0]) hooks[0]['status'] = `sent-${version}`;
  });
  for (const id of ids) expected.set(id, `https://recordings.example/${id}/${version}.wav`);
}
