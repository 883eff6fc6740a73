import { schemaToJson, schemaToMarkdown, TABLE_NAMES } from '@omnidim-stream/transform';
import { UsageError } from '../exit-codes.js';

/**
 * `omnidim-stream schema [--table T] [--format json|markdown]`: the declared table schemas, as
 * rendered by the transform package (the same objects every sink derives its types from; the
 * README's schema section is this command's Markdown output).
 *
 * @example
 * ```ts
 * process.stdout.write(runSchema({ table: 'calls', format: 'json' }));
 * ```
 */
export function runSchema(options: { table: string | undefined; format: 'json' | 'markdown' }): string {
  const { table } = options;
  if (table !== undefined && !(TABLE_NAMES as readonly string[]).includes(table)) {
    throw new UsageError(
      `--table: expected one of ${TABLE_NAMES.join(', ')}, received ${JSON.stringify(table)}`,
    );
  }
  if (options.format === 'json') {
    const all = schemaToJson();
    const json = table === undefined ? all : all.tables.find((t) => t.name === table);
    return `${JSON.stringify(json, null, 2)}\n`;
  }
  const markdown = schemaToMarkdown();
  if (table === undefined) return markdown;
  // schemaToMarkdown renders every table, one `## name (version n)` section each; keep the one asked for.
  const sections = markdown.split(/^(?=## )/m);
  const section = sections.find((s) => s.startsWith(`## ${table} `) || s.startsWith(`## ${table}\n`));
  return section ?? '';
}
