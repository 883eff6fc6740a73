import type { RunningSimulator } from '@omnidim-stream/simulator';

export interface ListBody {
  call_log_data: Array<Record<string, unknown> & { id: number; time_of_call: string }>;
  total_records: number;
}

/** GET `${sim.url}${path}` with the simulator's key (or the given headers). */
export function get(
  sim: RunningSimulator,
  path: string,
  headers?: Record<string, string>,
): Promise<Response> {
  return fetch(`${sim.url}${path}`, { headers: headers ?? { authorization: `Bearer ${sim.apiKey}` } });
}

export async function getList(sim: RunningSimulator, query = ''): Promise<ListBody> {
  const res = await get(sim, `/calls/logs${query}`);
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return (await res.json()) as ListBody;
}

/** Parses `MM/DD/YYYY HH:MM:SS` (UTC) independently of the generator's formatter. */
export function parseCallTime(text: string): number {
  const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new Error(`bad time_of_call ${text}`);
  const [, mo, d, y, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, d, h, mi, s);
}
