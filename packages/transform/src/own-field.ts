/**
 * Stores `value` as an own, enumerable property `key` of `target`, whatever the key. A record
 * parsed from JSON may carry a field named `__proto__` (JSON.parse makes it an own property);
 * a plain `target[key] = value` would instead call the `__proto__` setter: the field would vanish
 * from `extra` and, for an object value, become the prototype of the row's `extra` (issue 13).
 *
 * @example
 * ```ts
 * const extra: Record<string, unknown> = {};
 * setOwnField(extra, '__proto__', { polluted: true });
 * JSON.stringify(extra); // '{"__proto__":{"polluted":true}}'
 * ```
 */
export function setOwnField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
