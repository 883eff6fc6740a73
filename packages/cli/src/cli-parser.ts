import { defaultWorkers, WORKER_LIMITS } from '@omnidim-stream/engine';
import { SIMULATOR_FLAGS } from '@omnidim-stream/simulator';
import yargs, { type Argv } from 'yargs';
import { CLI_SCHEMA_FORMATS } from './commands/schema.js';
import {
  BASE_URL_ENV,
  CALL_STATUSES,
  COMPRESSIONS,
  EXPORT_DEFAULTS as D,
  DEFAULT_BASE_URL,
  FORMATS,
  HASH_KEY_ENV,
  PARTITION_GRAINS,
  PAYLOAD_CONVERSATIONS,
  REDACTION_FLAGS,
  SOURCE_LIMITS,
  TABLES,
} from './export-options.js';
import { withoutHelpCache } from './help-cache.js';
import { LOG_FORMATS } from './run-log.js';

/** `snappy|gzip|brotli|none [default: snappy]` for each format, from the sink's own table. */
const COMPRESSION_HELP = FORMATS.map(
  (f) => `${f} ${COMPRESSIONS[f].join('|')} [default: ${COMPRESSIONS[f][0]}]`,
).join(', ');

/** The commands, in `--help` order (did-you-mean suggests from these). */
export const COMMAND_NAMES = ['export', 'convert', 'compact', 'schema', 'simulate'] as const;

/** The command yargs selected, with its raw (not yet validated) flags. */
export interface ChosenCommand {
  name: (typeof COMMAND_NAMES)[number];
  argv: Record<string, unknown>;
}

const DATASET_GROUP = 'Output:';
const OBJECT_STORE_GROUP = 'Object storage:';
const RUN_GROUP = 'Logs and metrics:';

/** `1–150` */
function range({ min, max }: { min: number; max: number }): string {
  return `${min}–${max}`;
}

/** `--s3-endpoint`, `--s3-force-path-style`, `--single-writer`: every command that takes `--out s3://`. */
function objectStoreFlags(y: Argv): Argv {
  return y
    .option('s3-endpoint', {
      type: 'string',
      requiresArg: true,
      describe:
        'With --out s3://: an S3-compatible endpoint (MinIO, R2, GCS, Ceph), e.g. http://127.0.0.1:9000 [default: AWS_ENDPOINT_URL_S3 or AWS]',
      group: OBJECT_STORE_GROUP,
    })
    .option('s3-force-path-style', {
      type: 'boolean',
      describe:
        'With --out s3://: path-style requests (host/bucket/key), which most S3-compatible servers need',
      group: OBJECT_STORE_GROUP,
    })
    .option('single-writer', {
      type: 'boolean',
      describe:
        "With --out s3://: no other run writes there at the same time. Required when the server ignores conditional writes; takes a killed run's lock over at once",
      group: OBJECT_STORE_GROUP,
    });
}

/** Flags `export` and `convert` share. Numbers are read as strings and validated by us, so a
 * bad value gets a message naming the flag, the expected range and what was given. */
function datasetFlags(y: Argv): Argv {
  objectStoreFlags(y)
    .option('out', {
      type: 'string',
      requiresArg: true,
      describe:
        'Dataset directory (created if missing), or s3://bucket/prefix for object storage (credentials, region: the AWS chain)',
      group: DATASET_GROUP,
    })
    .option('format', {
      type: 'string',
      requiresArg: true,
      choices: FORMATS,
      describe: `File format [default: ${D.format}]`,
      group: DATASET_GROUP,
    })
    .option('tables', {
      type: 'string',
      requiresArg: true,
      describe: `Comma-separated tables [default: ${TABLES.join(',')}]`,
      group: DATASET_GROUP,
    })
    .option('compression', {
      type: 'string',
      requiresArg: true,
      describe: `Codec: ${COMPRESSION_HELP}`,
      group: DATASET_GROUP,
    })
    .option('rows-per-file', {
      type: 'string',
      requiresArg: true,
      describe: 'Split files after N rows',
      group: DATASET_GROUP,
    })
    .option('partition-by', {
      type: 'string',
      requiresArg: true,
      choices: PARTITION_GRAINS,
      describe: `Partition grain of a new lake: date=YYYY-MM-DD, month=YYYY-MM-01, year=YYYY or none; an existing lake keeps its own (change it with compact) [default: ${D.partitionBy}]`,
      group: DATASET_GROUP,
    })
    .option('target-file-size', {
      type: 'string',
      requiresArg: true,
      describe: `Target size of a data file (e.g. 128MiB, 1GiB); a file is split only when it passes it [default: ${D.targetFileSize}]`,
      group: DATASET_GROUP,
    })
    .option('csv-formula-guard', {
      type: 'boolean',
      describe:
        "With --format csv: prefix ' to text cells starting with = + - @ tab or CR, for CSVs opened in a spreadsheet (changes values; off by default)",
      group: DATASET_GROUP,
    })
    .option('time-zone', {
      type: 'string',
      requiresArg: true,
      describe: `IANA zone of time_of_call and of date partitions [default: ${D.timeZone}]`,
      group: DATASET_GROUP,
    })
    .option('payload-conversation', {
      type: 'string',
      requiresArg: true,
      choices: PAYLOAD_CONVERSATIONS,
      describe: `webhooks.payload's copies of the conversation (call_report.full_conversation, call_report.interactions; calls.transcript and the interactions table hold them): drop or keep [default: ${D.payloadConversation}]`,
      group: DATASET_GROUP,
    })
    .option('json', {
      type: 'boolean',
      describe: 'Print one JSON summary object on stdout at the end (log lines stay on stderr)',
      group: RUN_GROUP,
    })
    .option('quiet', {
      type: 'boolean',
      describe: 'No info lines on stderr (start, retries, drift, summary): only warnings and errors',
      group: RUN_GROUP,
    })
    .option('log-format', {
      type: 'string',
      requiresArg: true,
      choices: LOG_FORMATS,
      describe:
        'stderr lines as text, or json: one JSON object per line (time, level, event, msg, fields) [default: text]',
      group: RUN_GROUP,
    })
    .option('metrics-file', {
      type: 'string',
      requiresArg: true,
      describe:
        'Write Prometheus metrics (node_exporter textfile format) to this file at the end of every run, failed ones too; outside --out',
      group: RUN_GROUP,
    })
    .option('max-quarantined', {
      type: 'string',
      requiresArg: true,
      describe:
        'Fail the run (exit 5, nothing committed) when more records than N, or than P% of those read, are quarantined [default: no limit]',
      group: RUN_GROUP,
    })
    .option('workers', {
      type: 'string',
      requiresArg: true,
      describe: `Worker threads that parse, flatten and encode rows, ${range(WORKER_LIMITS)}; 0 = all on the main thread [default: from the CPUs this process may use, a container's CPU quota included: ${defaultWorkers()} here]`,
      group: DATASET_GROUP,
    });
  for (const { flag, describe, actions } of REDACTION_FLAGS) {
    y.option(flag, {
      type: 'string',
      describe: `${describe}: ${actions.join('|')} [bare flag: ${actions[1] ?? actions[0]}]`,
      group: 'Redaction:',
    });
  }
  y.option('hash-key-file', {
    type: 'string',
    requiresArg: true,
    describe: `File holding the HMAC key for "hash" actions (≥16 bytes) [default: env ${HASH_KEY_ENV}]`,
    group: 'Redaction:',
  });
  return y;
}

/** `simulate`'s flags: the simulator's own declaration, shared with `omnidim-simulator`. */
function simulatorFlags(y: Argv): Argv {
  for (const { name, aliases, type, describe } of SIMULATOR_FLAGS) {
    y.option(name, { type, alias: [...aliases], describe });
  }
  return y;
}

/**
 * Builds the yargs parser. Command handlers only record which command was chosen; `main()` runs
 * it, so parsing stays synchronous and output is captured instead of printed.
 */
export function buildParser(
  onCommand: (command: ChosenCommand) => void,
  version: string,
  width: number,
  onBuilt?: (name: ChosenCommand['name'], flags: string[]) => void,
): Argv {
  const choose = (name: ChosenCommand['name']) => (argv: Record<string, unknown>) =>
    onCommand({ name, argv });
  // yargs runs a command's builder only when that command is parsed; `onBuilt` hears its flags.
  const built =
    (name: ChosenCommand['name'], builder: (y: Argv) => Argv) =>
    (y: Argv): Argv => {
      const result = builder(y);
      const options = (result as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions();
      onBuilt?.(name, Object.keys(options.key));
      return result;
    };
  return withoutHelpCache(
    yargs()
      .scriptName('omnidim-stream')
      .usage(
        '$0 <command> [options]\n\nStream OmniDimension call logs into NDJSON, CSV and Parquet datasets.',
      )
      .command(
        'export',
        'Export call logs from the API to a dataset',
        built('export', (y) =>
          datasetFlags(y)
            .option('demo', {
              type: 'boolean',
              describe: `Export from the built-in simulator (no key, no network) into --out [default: ${D.demoOut}]`,
            })
            .option('dry-run', {
              type: 'boolean',
              describe:
                'Check the key with one request (GET /calls/logs?pagesize=1) and print what would run (mode, cutoff, pages, partitions replaced); write nothing',
            })
            .option('api-key-file', {
              type: 'string',
              requiresArg: true,
              describe: 'File holding the API key [default: env OMNIDIM_API_KEY]',
              group: 'Source:',
            })
            .option('base-url', {
              type: 'string',
              requiresArg: true,
              describe: `API root [default: env ${BASE_URL_ENV} or ${DEFAULT_BASE_URL}]`,
              group: 'Source:',
            })
            .option('page-size', {
              type: 'string',
              requiresArg: true,
              describe: `Calls per page, ${range(SOURCE_LIMITS.pageSize)} [default: ${D.pageSize}]`,
              group: 'Source:',
            })
            .option('concurrency', {
              type: 'string',
              requiresArg: true,
              describe: `Pages fetched at once, ${range(SOURCE_LIMITS.concurrency)} [default: ${D.concurrency}]`,
              group: 'Source:',
            })
            .option('max-records', {
              type: 'string',
              requiresArg: true,
              describe: 'Stop after N calls',
              group: 'Source:',
            })
            .option('retries', {
              type: 'string',
              requiresArg: true,
              describe: `Retries per page after the first attempt, ${range(SOURCE_LIMITS.retryCount)} [default: ${D.retries}]`,
              group: 'Source:',
            })
            .option('max-retry-delay', {
              type: 'string',
              requiresArg: true,
              describe: `Longest wait before a retry, backoff or Retry-After (e.g. 10s, 2m) [default: ${D.maxRetryDelay}]`,
              group: 'Source:',
            })
            .option('timeout', {
              type: 'string',
              requiresArg: true,
              describe: `Per-request timeout (e.g. 60s, 2m) [default: ${D.timeout}]`,
              group: 'Source:',
            })
            .option('max-response-size', {
              type: 'string',
              requiresArg: true,
              describe: `Largest API response read (e.g. 16MiB, 512KiB); a larger one stops the run with exit 4 [default: ${D.maxResponseSize}]`,
              group: 'Source:',
            })
            .option('max-stale-pages', {
              type: 'string',
              requiresArg: true,
              describe: `Pages in a row that bring no call not read before, after which the run stops with exit 4 (a server repeating itself) [default: ${D.maxStalePages}]`,
              group: 'Source:',
            })
            .option('max-pages', {
              type: 'string',
              requiresArg: true,
              describe: 'Most pages one run may read; needing more stops it with exit 4 [default: no limit]',
              group: 'Source:',
            })
            .option('raw', {
              type: 'boolean',
              describe:
                'Also keep every call log as received, gzipped NDJSON under raw/ (for convert); redacted like the tables',
              group: 'Source:',
            })
            .option('raw-unredacted', {
              type: 'boolean',
              describe:
                'With --raw: keep call logs verbatim, secret_key_… tokens included (file mode 0600); see README Security',
              group: 'Source:',
            })
            .option('allow-empty', {
              type: 'boolean',
              describe:
                'Let a full export that finds no call replace a dataset that holds calls (refused by default: exit 4)',
              group: 'Source:',
            })
            .option('state', {
              type: 'string',
              describe: `Incremental runs: state file (bare --state: DIR/${D.stateName}). First run full, later runs re-read only the lookback window`,
              group: 'Scheduling:',
            })
            .option('lookback', {
              type: 'string',
              requiresArg: true,
              describe: `Incremental window re-read before the newest committed call, e.g. 24h, 90m, 2d (exactly that window; merged into the lake) [default: ${D.lookback}]`,
              group: 'Scheduling:',
            })
            .option('full', {
              type: 'boolean',
              describe: 'With --state: ignore the state, export everything again and start a new state',
              group: 'Scheduling:',
            })
            .option('checkpoint-pages', {
              type: 'string',
              requiresArg: true,
              describe: `Checkpoint every N pages so a killed run resumes when rerun; 0 = never [default: ${D.checkpointPages}]`,
              group: 'Scheduling:',
            })
            .option('agent-id', {
              type: 'string',
              requiresArg: true,
              describe: 'Only calls of this agent',
              group: 'Filters:',
            })
            .option('call-status', {
              type: 'string',
              requiresArg: true,
              choices: CALL_STATUSES,
              describe: 'Only calls with this status',
              group: 'Filters:',
            })
            .option('bulk-call-id', {
              type: 'string',
              requiresArg: true,
              describe: 'Only calls of this bulk campaign',
              group: 'Filters:',
            })
            .option('since', {
              type: 'string',
              requiresArg: true,
              describe:
                'Only calls at/after this date or instant. The list is newest first, so paging stops after 20 consecutive older calls; an older call among newer ones (a wrong time_of_call) is skipped and counted in skippedOlderThanSince, it does not end the export',
              group: 'Filters:',
            })
            .option('until', {
              type: 'string',
              requiresArg: true,
              describe: 'Only calls before this date or instant',
              group: 'Filters:',
            })
            .example('OMNIDIM_API_KEY=… $0 export --out lake', 'All history to Parquet under ./lake')
            .example('$0 export --demo', 'Try it with the built-in simulator: no key, no network')
            .example(
              '$0 export --api-key-file ~/.omnidim-key --out lake --format csv --since 2026-05-01 --time-zone Europe/Paris',
              'May onwards, as CSV, dates read in Paris time',
            )
            .example(
              '$0 export --out lake --state --lookback 24h --json',
              'Hourly/daily job: only new and recently changed calls; each call once in the lake',
            )
            .example(
              '$0 export --out lake --state --dry-run',
              'What the next scheduled run would do, after checking the key; nothing written',
            )
            .example(
              '$0 export --out lake --state --log-format json --metrics-file /var/lib/node_exporter/omnidim.prom',
              'Unattended: JSON log lines on stderr, Prometheus metrics for node_exporter',
            )
            .example(
              '$0 export --out lake --tables calls --call-status completed --json',
              'Completed calls only; JSON summary on stdout',
            ),
        ),
        choose('export'),
      )
      .command(
        'convert <input>',
        'Turn a raw archive (NDJSON from --raw, or JSON call logs / API pages; .gz or not) into the same tables, offline',
        built('convert', (y) =>
          datasetFlags(y.positional('input', { type: 'string', describe: 'Archive file' }))
            .example(
              '$0 convert lake/raw/calls-….ndjson.gz --out lake2 --format parquet',
              'Rebuild tables from a --raw archive',
            )
            .example(
              '$0 convert pages.json.gz --out lake --format csv',
              'A JSON array of API pages, gzipped',
            ),
        ),
        choose('convert'),
      )
      .command(
        'compact',
        'Rewrite an existing lake into a partition grain and file size, atomically (same rows and call ids, checked)',
        built('compact', (y) =>
          objectStoreFlags(y)
            .option('out', {
              type: 'string',
              requiresArg: true,
              describe:
                'Dataset directory to compact, or s3://bucket/prefix (the bucket lake compacted in place: lock, manifest as commit point)',
            })
            .option('partition-by', {
              type: 'string',
              requiresArg: true,
              choices: PARTITION_GRAINS,
              describe: "Grain to rewrite into [default: the lake's own]",
            })
            .option('target-file-size', {
              type: 'string',
              requiresArg: true,
              describe: `Target size of a data file (e.g. 128MiB) [default: ${D.targetFileSize}]`,
            })
            .option('state', {
              type: 'string',
              describe: `State file of the lake's incremental runs, updated with the new grain when it exists [default: DIR/${D.stateName}]`,
            })
            .option('json', { type: 'boolean', describe: 'Print one JSON result object on stdout' })
            .example(
              '$0 compact --out lake --partition-by month',
              'A day-partitioned lake into month partitions',
            )
            .example(
              '$0 compact --out s3://lake/calls --partition-by month',
              'The same on a bucket (credentials: the AWS chain)',
            ),
        ),
        choose('compact'),
      )
      .command(
        'schema',
        'Print the declared table schemas',
        built('schema', (y) =>
          y
            .option('table', {
              type: 'string',
              requiresArg: true,
              choices: TABLES,
              describe: 'Only this table',
            })
            .option('format', {
              type: 'string',
              requiresArg: true,
              choices: CLI_SCHEMA_FORMATS,
              default: CLI_SCHEMA_FORMATS[0],
              describe:
                'Output format; duckdb: CREATE VIEW statements that read the lake with every declared type (the _views.duckdb.sql each export writes)',
            })
            .option('lake-format', {
              type: 'string',
              requiresArg: true,
              choices: FORMATS,
              default: FORMATS[0],
              describe: 'With --format duckdb: the format of the lake the views read',
            })
            .example('$0 schema --table calls', 'The calls table as Markdown')
            .example('$0 schema --format json', 'Every schema as JSON')
            .example('$0 schema --format duckdb --lake-format csv', 'Typed DuckDB views of a CSV lake'),
        ),
        choose('schema'),
      )
      .command(
        'simulate',
        'Run the API simulator on 127.0.0.1 until Ctrl-C',
        built('simulate', (y) =>
          simulatorFlags(y)
            .example(
              '$0 simulate --port 8787 --records 10000',
              'A 10,000-call history on http://127.0.0.1:8787/api/v1',
            )
            .example(
              '$0 simulate --fault-rate 0.2 --fault-kinds 429,503,reset --drift-insert-per-page 3',
              'A hostile API',
            ),
        ),
        choose('simulate'),
      )
      .demandCommand(1, `Pick a command: ${COMMAND_NAMES.join(', ')}`)
      .strict()
      // `--lookback -1h` must not become `--lookback -1 -h` (help, exit 0): issue found in review.
      .parserConfiguration({ 'short-option-groups': false })
      .exitProcess(false)
      .showHelpOnFail(false)
      .help()
      .alias('h', 'help')
      .version(version)
      .epilogue(
        'Exit codes: 0 ok, 2 usage, 3 auth, 4 API failure, 5 incomplete, 6 output, 7 bad input, 8 locked by another run, 130/143 interrupted.',
      )
      .wrap(Math.min(width, 120)),
  );
}
