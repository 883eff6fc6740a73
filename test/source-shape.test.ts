/**
 * The shape of the source (issue 15 "Must show"): in every `packages/*\/src/**\/*.ts`,
 * 1. no function, method or arrow body over {@link MAX_FUNCTION_LINES} lines;
 * 2. no file over {@link MAX_FILE_LINES} lines, declarative tables aside ({@link DECLARATIVE});
 * 3. no import cycle inside a package (relative imports, type-only ones included: a cycle of
 *    types is still two concepts that cannot be read one without the other).
 * Parsed with the TypeScript compiler API, so strings and comments cannot fool the counts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_FUNCTION_LINES = 100;
const MAX_FILE_LINES = 450;

/**
 * Files that are tables rather than logic (one long literal or builder chain is the point):
 * exempt from both limits. Keep this list to declarations; logic belongs in small functions.
 */
const DECLARATIVE: readonly (string | RegExp)[] = [
  'packages/transform/src/schemas.ts',
  'packages/simulator/src/generate-call-log.ts',
  'packages/cli/src/cli-parser.ts',
  /\.generated\.ts$/,
];

/**
 * Offenders allowed while a split is under way: a file (file limit) or `file#function` (function
 * limit). Empty since issue 15 landed; an entry that no longer offends fails the test below, so the
 * list can only shrink.
 */
const PENDING_SPLIT: readonly string[] = [];

interface FunctionSize {
  /** `path#name`: `Class.method`, the function's or variable's name, `<arrow>` inside another. */
  key: string;
  lines: number;
}

function sourceFiles(): string[] {
  const out: string[] = [];
  for (const pkg of readdirSync(join(ROOT, 'packages'))) {
    const src = join(ROOT, 'packages', pkg, 'src');
    let entries: string[];
    try {
      entries = readdirSync(src, { recursive: true, encoding: 'utf8' });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) out.push(relative(ROOT, join(src, entry)));
    }
  }
  return out.sort();
}

const files = sourceFiles();
const parsed = new Map(
  files.map((file) => [
    file,
    ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true),
  ]),
);

function lineOf(source: ts.SourceFile, pos: number): number {
  return source.getLineAndCharacterOfPosition(pos).line;
}

/** A readable name for a function-like node, stable across unrelated edits (no line numbers). */
function nameOf(node: ts.Node, outer: string | undefined): string {
  const named = (n: ts.Node | undefined): string | undefined =>
    n !== undefined && (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isPrivateIdentifier(n))
      ? n.text
      : undefined;
  let own: string | undefined;
  if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) own = named(node.name);
  if (ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node))
    own = named(node.name);
  if (ts.isConstructorDeclaration(node)) own = 'constructor';
  const parent = node.parent;
  if (own === undefined && parent !== undefined) {
    if (
      ts.isVariableDeclaration(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent)
    )
      own = named(parent.name);
  }
  const cls = ts.isClassLike(node.parent) ? named(node.parent.name) : undefined;
  const base = own ?? '<arrow>';
  const qualified = cls !== undefined ? `${cls}.${base}` : base;
  return outer !== undefined && own === undefined ? `${outer}/${qualified}` : qualified;
}

function functionSizes(file: string, source: ts.SourceFile): FunctionSize[] {
  const out: FunctionSize[] = [];
  const visit = (node: ts.Node, outer: string | undefined): void => {
    let name = outer;
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const body = node.body as ts.Node;
      name = nameOf(node, outer);
      const lines = lineOf(source, body.getEnd()) - lineOf(source, body.getStart(source)) + 1;
      out.push({ key: `${file}#${name}`, lines });
    }
    ts.forEachChild(node, (child) => visit(child, name));
  };
  visit(source, undefined);
  return out;
}

function isDeclarative(file: string): boolean {
  return DECLARATIVE.some((d) => (typeof d === 'string' ? d === file : d.test(file)));
}

/** Relative imports of a file, resolved to repository paths of `.ts` sources. */
function relativeImports(file: string, source: ts.SourceFile): string[] {
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const out: string[] = [];
  for (const spec of specifiers) {
    if (!spec.startsWith('.')) continue;
    const target = join(dirname(file), spec).replace(/\.js$/, '.ts');
    const candidates = [target, `${target}.ts`, join(target, 'index.ts')];
    const found = candidates.find((c) => parsed.has(c));
    if (found !== undefined) out.push(found);
  }
  return out;
}

/** Every import cycle, each as the list of files around it (Tarjan's strongly connected components). */
function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return cycles;
}

const packageOf = (file: string): string => file.split('/')[1] as string;

/** Lines of a file as `wc -l` counts them (a final newline does not start another line). */
function fileLines(source: ts.SourceFile): number {
  const newlines = source.text.split('\n').length - 1;
  return source.text.endsWith('\n') ? newlines : newlines + 1;
}

const fileOffenders = files
  .filter((file) => !isDeclarative(file))
  .map((file) => ({ key: file, lines: fileLines(parsed.get(file) as ts.SourceFile) }))
  .filter((f) => f.lines > MAX_FILE_LINES);
const functionOffenders = files
  .filter((file) => !isDeclarative(file))
  .flatMap((file) => functionSizes(file, parsed.get(file) as ts.SourceFile))
  .filter((f) => f.lines > MAX_FUNCTION_LINES);

describe('source shape', () => {
  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(files).toContain('packages/core/src/paginate.ts');
  });

  it(`has no function, method or arrow body over ${MAX_FUNCTION_LINES} lines`, () => {
    const over = functionOffenders.filter((f) => !PENDING_SPLIT.includes(f.key));
    expect(over.map((f) => `${f.key} (${f.lines} lines)`)).toEqual([]);
  });

  it(`has no file over ${MAX_FILE_LINES} lines besides the declarative tables`, () => {
    const over = fileOffenders.filter((f) => !PENDING_SPLIT.includes(f.key));
    expect(over.map((f) => `${f.key} (${f.lines} lines)`)).toEqual([]);
  });

  it('has no import cycle inside any package', () => {
    const graph = new Map<string, string[]>();
    for (const file of files) {
      const imports = relativeImports(file, parsed.get(file) as ts.SourceFile);
      graph.set(
        file,
        imports.filter((target) => packageOf(target) === packageOf(file)),
      );
    }
    expect(importCycles(graph)).toEqual([]);
  });

  it('keeps PENDING_SPLIT honest: only current offenders, none in core', () => {
    const offending = new Set([...fileOffenders, ...functionOffenders].map((f) => f.key));
    expect(PENDING_SPLIT.filter((entry) => !offending.has(entry))).toEqual([]);
    expect(PENDING_SPLIT.filter((entry) => entry.startsWith('packages/core/'))).toEqual([]);
  });
});
