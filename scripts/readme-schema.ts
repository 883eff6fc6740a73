/**
 * Keeps the README's "Schema" section generated from the declared schemas, the same text
 * `omnidim-stream schema --format markdown` prints (one heading level down).
 *
 *   pnpm docs:schema          rewrite the section in place
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { schemaToMarkdown } from '@omnidim-stream/transform';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));
const START = '<!-- schema:start -->';
const END = '<!-- schema:end -->';

/** The README text with its schema section regenerated. */
export function withGeneratedSchema(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} … ${END} markers`);
  const section = schemaToMarkdown()
    .trim()
    .replace(/^(#+) /gm, '$1# ');
  return `${readme.slice(0, start + START.length)}\n${section}\n${readme.slice(end)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const readme = await readFile(README, 'utf8');
  await writeFile(README, withGeneratedSchema(readme));
}
