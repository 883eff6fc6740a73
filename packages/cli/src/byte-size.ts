/** Units `--max-response-size` accepts (binary multiples: what memory is measured in). */
const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/**
 * Parses a size like `16MiB`, `512KiB`, `1GiB` or a plain byte count (`1048576`) into bytes;
 * `undefined` when the text is not one (unknown unit, zero, fraction, beyond 2^53 − 1).
 *
 * @example
 * ```ts
 * parseByteSize('16MiB'); // 16_777_216
 * parseByteSize('2048'); // 2048
 * ```
 */
export function parseByteSize(text: string): number | undefined {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = UNITS[(m[2] || 'b').toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Number(m[1]) * unit;
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined;
}
