/**
 * The one way a URL is shown in a message, error, event or log (issue 13): scheme, host, port and
 * path only. Userinfo (`user:pass@`), the query string and the fragment are dropped, whatever
 * their names: an API key can hide in any of them (`?api_key=…`, `?token=…`, `#access_token=…`),
 * and a list of "secret-looking" parameter names always misses one.
 *
 * @example
 * ```ts
 * formatUrlForMessage('http://u:p@127.0.0.1:8080/api/v1?api_key=k#x'); // 'http://127.0.0.1:8080/api/v1'
 * ```
 */
export function formatUrlForMessage(input: string | URL): string {
  let url: URL;
  try {
    url = typeof input === 'string' ? new URL(input) : input;
  } catch {
    return formatUnparsable(input as string);
  }
  // `host` is hostname plus a non-default port; `pathname` never holds the query or fragment.
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * A text that is not a URL is shown the same way as far as it can be taken apart: cut at the
 * first `?` or `#`, and everything up to the last `@` of what would be the authority removed
 * (a password may itself hold `/` or `:`).
 */
function formatUnparsable(text: string): string {
  const cut = text.split(/[?#]/, 1)[0] ?? '';
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(cut)?.[0] ?? '';
  const rest = cut.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  return `${scheme}${at === -1 ? rest : rest.slice(at + 1)}`;
}
