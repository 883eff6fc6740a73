/**
 * Renders the declared schemas for people (`omnidim-stream schema`) and for machines.
 */
import { SCHEMAS } from './schemas.js';
import { type ColumnSchema, TABLE_NAMES, type TableName } from './table-schema.js';

/** The renderings `omnidim-stream schema --format` offers; the first is the default. */
export const SCHEMA_FORMATS = ['markdown', 'json'] as const;
export type SchemaFormat = (typeof SCHEMA_FORMATS)[number];

/** JSON-serialisable form of one table schema. */
export interface TableSchemaJson {
  name: TableName;
  version: number;
  description: string;
  primaryKey: string[];
  columns: ColumnSchema[];
}

/**
 * The four schemas as plain JSON-serialisable data, in table order.
 *
 * @example
 * console.log(JSON.stringify(schemaToJson(), null, 2));
 */
export function schemaToJson(): { tables: TableSchemaJson[] } {
  return {
    tables: TABLE_NAMES.map((name) => {
      const s = SCHEMAS[name];
      return {
        name: s.name,
        version: s.version,
        description: s.description ?? '',
        primaryKey: [...s.primaryKey],
        columns: s.columns.map((c) => ({
          name: c.name,
          type: c.type,
          nullable: c.nullable,
          description: c.description,
        })),
      };
    }),
  };
}

/**
 * The four schemas as Markdown: one section and one column table per table.
 *
 * @example
 * process.stdout.write(schemaToMarkdown());
 */
export function schemaToMarkdown(): string {
  const out: string[] = [];
  for (const table of schemaToJson().tables) {
    out.push(`## ${table.name} (version ${table.version})`, '');
    if (table.description) out.push(table.description, '');
    out.push(`Key: ${table.primaryKey.map((k) => `\`${k}\``).join(', ')}`, '');
    out.push('| column | type | nullable | description |', '| --- | --- | --- | --- |');
    for (const c of table.columns) {
      out.push(
        `| \`${c.name}\` | ${c.type} | ${c.nullable ? 'yes' : 'no'} | ${c.description.replaceAll('|', '\\|')} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}
