/**
 * One row of a table under construction: every field lands in the column of its own name,
 * coerced by `coerce.ts`; a value that fits no type and every unknown field go to the row's
 * `extra` JSON column, raw, under their field name. Misfits are counted in the run's context.
 */
import { coerceToRowValue, MISFIT_VALUE } from './coerce.js';
import type { ResolvedTransformOptions } from './options.js';
import { setOwnField } from './own-field.js';
import { maskKeys, type Redactor } from './redact.js';
import { safeJson } from './safe-json.js';
import { DERIVED_COLUMNS, SCHEMAS } from './schemas.js';
import type { LogicalType, Row, TableName } from './table-schema.js';
import { wellFormedJsonText, wellFormedString } from './well-formed-text.js';

/** What every builder of one call log's rows shares: options, redactor, the misfit count. */
export interface FlattenContext {
  readonly options: ResolvedTransformOptions;
  readonly redactor: Redactor;
  coercions: number;
}

/** Column → type of the columns filled from a field of the same name, per table. */
const SOURCE_TYPES = Object.fromEntries(
  Object.values(SCHEMAS).map((schema) => {
    const derived = new Set(DERIVED_COLUMNS[schema.name]);
    const types = new Map<string, LogicalType>();
    for (const column of schema.columns) if (!derived.has(column.name)) types.set(column.name, column.type);
    return [schema.name, types];
  }),
) as Record<TableName, Map<string, LogicalType>>;

/** A row with every column null, in schema order (so rows serialise in schema order). */
const TEMPLATES = Object.fromEntries(
  Object.values(SCHEMAS).map((schema) => [
    schema.name,
    Object.fromEntries(schema.columns.map((c) => [c.name, null])),
  ]),
) as Record<TableName, Row>;

/**
 * The text columns of each table as `[name, isJson]` (`string` and `json` types), made
 * well-formed by `RowBuilder.finish()`.
 */
const TEXT_COLUMNS = {} as Record<TableName, readonly (readonly [string, boolean])[]>;
for (const schema of Object.values(SCHEMAS)) {
  TEXT_COLUMNS[schema.name] = schema.columns
    .filter((c) => c.type === 'string' || c.type === 'json')
    .map((c) => [c.name, c.type === 'json'] as const);
}

/**
 * One row under construction: the values, and the `extra` object when something lands there.
 *
 * @example
 * const b = new RowBuilder('interactions', ctx);
 * b.fill({ id: 7, user_query: 'hi', new_field: 1 }, new Set());
 * b.finish(); // { id: 7, user_query: 'hi', ..., extra: '{"new_field":1}' }
 */
export class RowBuilder {
  readonly row: Row;
  extra: Record<string, unknown> | null = null;

  constructor(
    readonly table: TableName,
    private readonly ctx: FlattenContext,
  ) {
    this.row = { ...TEMPLATES[table] };
  }

  /** Keeps `value` raw in `extra` under `field`; `misfit` counts it as a coercion failure. */
  keep(field: string, value: unknown, misfit: boolean): void {
    this.extra ??= {};
    setOwnField(this.extra, field, value);
    if (misfit) this.ctx.coercions++;
  }

  /** Coerces `raw` (already scrubbed) into `column`, or keeps it in `extra` under `field`. */
  set(column: string, type: LogicalType, value: unknown, field = column): void {
    const coerced = coerceToRowValue(value, type, this.ctx.options.timeZone);
    if (coerced === MISFIT_VALUE) this.keep(field, value, true);
    else this.row[column] = coerced;
  }

  /** Copies every field of `source` into the column of its name; unknown fields go to `extra`. */
  fill(source: Record<string, unknown>, skip: ReadonlySet<string>): void {
    const types = SOURCE_TYPES[this.table];
    const { redactor, options } = this.ctx;
    const row = this.row;
    const fields = Object.keys(source);
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      if (skip.has(field)) continue;
      const value = redactor.scrubValue(source[field], field);
      const type = types.get(field);
      if (type === undefined) {
        this.keep(field, value, false);
        continue;
      }
      const coerced = coerceToRowValue(value, type, options.timeZone);
      if (coerced === MISFIT_VALUE) this.keep(field, value, true);
      else row[field] = coerced;
    }
  }

  finish(): Row {
    const row = this.row;
    // Values were scrubbed on the way in; the names they are kept under are field names from
    // the record (an unknown field `secret_key_…`), so they are masked here, kept unique.
    row['extra'] = this.extra === null ? null : safeJson(maskKeys(this.extra, this.ctx.redactor.scrubText));
    // The same text in NDJSON, CSV and Parquet: lone surrogates (in values, in keys of JSON
    // text) become U+FFFD here, which is what UTF-8 writers store anyway (issue 13).
    for (const [name, isJson] of TEXT_COLUMNS[this.table]) {
      const value = row[name];
      if (typeof value === 'string') row[name] = isJson ? wellFormedJsonText(value) : wellFormedString(value);
    }
    return row;
  }
}
