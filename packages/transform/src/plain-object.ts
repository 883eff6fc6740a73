/**
 * True for a JSON object (not null, not an array): the only shape a nested record of the call
 * log (an interaction, a function call, a webhook, `post_call_actions`) can be flattened from.
 *
 * @example
 * isPlainObject({ id: 1 }); // true
 * isPlainObject([{ id: 1 }]); // false
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
