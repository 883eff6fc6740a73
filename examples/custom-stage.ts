/**
 * A custom stage inside a library export: `exportCallLogs({ stage })` runs your function on each
 * flattened call (its rows per table) between the transform and the dataset, with resume,
 * completeness, quarantine and the atomic commit still applying. This one keeps calls of at least
 * 30 seconds and tags their rows.
 *
 *   OMNIDIM_API_KEY=… node --conditions=source --import tsx examples/custom-stage.ts ./lake
 *
 * Without OMNIDIM_API_KEY it starts the built-in simulator on 127.0.0.1 and exports from it.
 */
import { exportCallLogs } from '@omnidim-stream/engine';
import { startSimulator } from '@omnidim-stream/simulator';

const out = process.argv[2] ?? 'stage-out';
const sim = process.env['OMNIDIM_API_KEY'] ? undefined : await startSimulator({ records: 400 });
const baseUrl = sim?.url ?? process.env['OMNIDIM_BASE_URL'];

let kept = 0;
try {
  const result = await exportCallLogs({
    apiKey: sim?.apiKey ?? process.env['OMNIDIM_API_KEY'] ?? '',
    ...(baseUrl ? { baseUrl } : {}),
    outDir: out,
    tables: ['calls', 'interactions'],
    stage: (row) => {
      const seconds = row.tables.calls[0]?.['call_duration_in_seconds'];
      if (typeof seconds !== 'number' || seconds < 30) return null; // the whole call is dropped
      kept++;
      return row;
    },
  });
  console.log(
    `kept ${kept} calls of 30 s or more out of ${result.records}; completeness proven: ${result.completeness?.proven}`,
  );
} finally {
  await sim?.close();
}
