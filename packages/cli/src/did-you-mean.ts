/**
 * "Did you mean" for a mistyped command or flag (issue 19: `exprt` got `Unknown arguments: out,
 * exprt`). Edit distance (Levenshtein, one insertion, deletion or substitution per step), with a
 * bound that grows with the word so that `exprt` finds `export` but `x` finds nothing.
 */

/** Edit distance between two strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate closest to `word`, when it is close enough to be what was meant (at most a third
 * of the word's letters wrong, at least one allowed), else undefined. Ties go to the first
 * candidate, so pass them in a meaningful order.
 *
 * @example
 * ```ts
 * closest('exprt', ['export', 'convert', 'schema', 'simulate']); // 'export'
 * closest('--page-sise', ['--page-size', '--since']); // '--page-size'
 * ```
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
