/**
 * The schemas are data, declared in code. A column change must change this test too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DERIVED_COLUMNS,
  flattenCallLog,
  NESTED_FIELD_COLUMNS,
  SCHEMAS,
  schemaToJson,
  schemaToMarkdown,
  TABLE_NAMES,
} from '../src/index.js';

const page = JSON.parse(readFileSync(new URL('./fixtures/example-page.json', import.meta.url), 'utf8'));
const example = page.call_log_data[0] as Record<string, unknown>;
const LOGICAL_TYPES = ['int64', 'float64', 'boolean', 'string', 'timestamp', 'date', 'json'];
// calls 2: call_date became a DATE (issue 17); the others never changed.
const VERSIONS = { calls: 2, interactions: 1, function_calls: 1, webhooks: 1 } as const;

function columnsOf(table: keyof typeof SCHEMAS): Map<string, string> {
  return new Map(SCHEMAS[table].columns.map((c) => [c.name, c.type]));
}

describe('declared table schemas', () => {
  it('declares the four tables with natural keys, a version and typed, described columns', () => {
    expect(Object.keys(SCHEMAS)).toEqual(['calls', 'interactions', 'function_calls', 'webhooks']);
    expect(SCHEMAS.calls.primaryKey).toEqual(['id']);
    expect(SCHEMAS.interactions.primaryKey).toEqual(['call_id', 'id', 'interaction_sequence']);
    expect(SCHEMAS.function_calls.primaryKey).toEqual(['call_id', 'interaction_id', 'position']);
    expect(SCHEMAS.webhooks.primaryKey).toEqual(['call_id', 'id']);
    for (const name of TABLE_NAMES) {
      const schema = SCHEMAS[name];
      expect(schema.name).toBe(name);
      expect(schema.version).toBe(VERSIONS[name]);
      const names = schema.columns.map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      for (const key of schema.primaryKey) expect(names).toContain(key);
      expect(names.at(-1)).toBe('extra');
      for (const c of schema.columns) {
        expect(c.name).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(LOGICAL_TYPES).toContain(c.type);
        expect(typeof c.nullable).toBe('boolean');
        expect(c.description.length).toBeGreaterThan(3);
        expect(c.description).not.toContain('\n');
      }
      for (const d of DERIVED_COLUMNS[name]) expect(names).toContain(d);
    }
  });

  it('pins the type of key and tricky columns', () => {
    const calls = columnsOf('calls');
    expect(calls.get('id')).toBe('int64');
    expect(calls.get('time_of_call')).toBe('timestamp');
    expect(calls.get('call_date')).toBe('date');
    expect(calls.get('call_duration')).toBe('string');
    expect(calls.get('call_duration_seconds')).toBe('float64');
    expect(calls.get('sentiment_score')).toBe('string');
    expect(calls.get('extracted_variables')).toBe('json');
    expect(calls.get('json_evolution_matrix_score')).toBe('json');
    expect(calls.get('issues')).toBe('json');
    for (const list of ['email', 'hubspot', 'slack', 'salesforce', 'google_sheets']) {
      expect(calls.get(`${list}_service_ids`)).toBe('json');
    }
    expect(columnsOf('function_calls').get('args')).toBe('json');
    expect(columnsOf('webhooks').get('payload')).toBe('json');
    expect(columnsOf('webhooks').get('create_date')).toBe('timestamp');
    expect(SCHEMAS.calls.columns.find((c) => c.name === 'id')?.nullable).toBe(false);
  });

  it('maps every key of the example call log to a column or a documented nested mapping', () => {
    const missing: string[] = [];
    const check = (
      table: keyof typeof SCHEMAS,
      obj: Record<string, unknown>,
      path: string,
      nested: string,
    ) => {
      const cols = columnsOf(table);
      for (const key of Object.keys(obj)) {
        if (cols.has(key) && !DERIVED_COLUMNS[table].includes(key)) continue;
        if (`${nested}${key}` in NESTED_FIELD_COLUMNS) continue;
        missing.push(`${path}${key}`);
      }
    };
    check('calls', example, '', '');
    for (const key of Object.keys(example['call_request_id'] as object)) {
      if (!(`call_request_id.${key}` in NESTED_FIELD_COLUMNS)) missing.push(`call_request_id.${key}`);
    }
    for (const key of Object.keys(example['post_call_actions'] as object)) {
      if (!(`post_call_actions.${key}` in NESTED_FIELD_COLUMNS)) missing.push(`post_call_actions.${key}`);
    }
    const interactions = example['interactions'] as Record<string, unknown>[];
    for (const i of interactions) check('interactions', i, 'interactions[].', 'interactions[].');
    const fn = (interactions[3]!['function_call_data'] as Record<string, unknown>[])[0]!;
    check('function_calls', fn, 'function_call_data[].', '');
    const hooks = (example['post_call_actions'] as Record<string, unknown>)[
      'call_recording_webhook_ids'
    ] as Record<string, unknown>[];
    check('webhooks', hooks[0]!, 'call_recording_webhook_ids[].', 'call_recording_webhook_ids[].');
    expect(missing).toEqual([]);
  });

  it('the flattened example puts nothing in extra and every row has exactly the schema columns, in order', () => {
    const flat = flattenCallLog(example);
    for (const name of TABLE_NAMES) {
      for (const row of flat.tables[name]) {
        expect(Object.keys(row)).toEqual(SCHEMAS[name].columns.map((c) => c.name));
        expect(row['extra']).toBeNull();
      }
    }
  });

  it('renders the schemas as JSON and Markdown for the CLI', () => {
    const json = schemaToJson();
    expect(json.tables.map((t) => t.name)).toEqual([...TABLE_NAMES]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    const calls = json.tables[0]!;
    expect(calls.columns[0]).toEqual({
      name: 'id',
      type: 'int64',
      nullable: false,
      description: 'Call log id (natural key).',
    });
    const md = schemaToMarkdown();
    for (const name of TABLE_NAMES) expect(md).toContain(`## ${name} (version ${VERSIONS[name]})`);
    expect(md).toContain('| `time_of_call` | timestamp | yes |');
    expect(md).toContain('| `extra` | json | yes |');
  });
});
