/**
 * Bodies the simulator answers with, shaped like the real backend's (an Odoo server behind a
 * proxy, docs/api-notes.md): JSON `{error, error_description}` for API errors, HTML for unknown paths,
 * proxy HTML for 502/503/504.
 */
import type { ServerResponse } from 'node:http';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

export function sendHtml(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

/** The head of a 200 JSON body of `length` bytes, for bodies sent whole, cut or in chunks. */
export function writeJsonHead(res: ServerResponse, length: number): void {
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(length),
  });
}

/** `{ error, error_description }`, the usual error body of the API. */
export function errorBody(error: string, description: string): string {
  return JSON.stringify({ error, error_description: description });
}

/** The list envelope, assembled from cached per-record JSON. */
export function envelope(records: readonly string[], total: number): string {
  return `{"call_log_data":[${records.join(',')}],"total_records":${total}}`;
}

/** Odoo's 404 page: what the backend returns for a path it does not route (docs/api-notes.md). */
export const ODOO_404_HTML = `<!DOCTYPE html>
<html lang="en-US">
<head><meta charset="utf-8"/><title>404 | Page not found | Odoo</title></head>
<body class="o_web_client"><div id="wrap"><div class="container">
<h1 class="mt-5">Oops! Something went wrong.</h1>
<p>We couldn't find the page you're looking for!</p>
<a href="/web">Back to homepage</a>
</div></div></body>
</html>
`;

/** An Odoo login page served with status 200: what a misrouted or session-expired request sees. */
export const ODOO_LOGIN_HTML = `<!DOCTYPE html>
<html lang="en-US">
<head><meta charset="utf-8"/><title>Login | Odoo</title></head>
<body><form class="oe_login_form" role="form" method="post" action="/web/login">
<label for="login">Email</label><input type="text" name="login" id="login"/>
<label for="password">Password</label><input type="password" name="password" id="password"/>
<button type="submit">Log in</button></form></body>
</html>
`;

export function proxyErrorHtml(status: number): string {
  const title =
    status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Temporarily Unavailable' : 'Gateway Time-out';
  return `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}
