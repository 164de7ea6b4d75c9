import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a hostile or careless server echoes: the request's headers and body, raw, JSON-escaped and encoded. */
export function echoOf(headers: IncomingHttpHeaders, body: string): Record<string, unknown> {
  const headerText = Object.entries(headers).map(([name, value]) => `${name}: ${String(value)}`).join('\n');
  return {
    error: `cannot accept the request with ${headerText.replace(/\n/g, "; ")} and body ${body}`,
    request: { headers, body },
    encoded: {
      base64: Buffer.from(headerText + body).toString('base64'),
      url: encodeURIComponent(headerText + body),
      html: (headerText + body).replace(/"/g, '&quot;'),
    },
  };
}

export interface EchoServer {
  readonly url: string;
  readonly close: () => Promise<void>;
}

/**
 * A loopback server that answers every audit request with an echo of it: first 503 (`Retry-After: 0`, so the client
 * retries and reports the retry), then 400 whose body names event 0 as invalid in both AuditLog.co's (`details`) and
 * Retraced's (`invalid`) shapes, quoting the echo. Frontegg's `/auth/vendor` answers `token`.
 */
export async function startEchoServer(token: string): Promise<EchoServer> {
  const seen = new Set<string>();
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      if (request.url === '/auth/vendor') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expiresIn: 3600 }));
        return;
      }
      const echo = echoOf(request.headers, body);
      const first = !seen.has(body);
      seen.add(body);
      const status = first ? 503 : 400;
      const reply = { ...echo, statusCode: status, message: echo.error, details: { '[0].client.uuid': echo.error }, invalid: [{ index: 0, message: echo.error }] };
      response.writeHead(status, { 'content-type': 'application/json', ...(first ? { 'retry-after': '0' } : {}) }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The spellings of `secret` a leak check looks for: as is, JSON-escaped (once, twice), URL-encoded, base64. */
export function leakedForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [secret, json, JSON.stringify(json).slice(1, -1), encodeURIComponent(secret), Buffer.from(secret).toString('base64').replace(/=+$/, '')];
}

/** The secrets (and their spellings) found in `text`. */
export function leaksIn(text: string, secrets: readonly string[]): string[] {
  return secrets.flatMap((secret) => leakedForms(secret).filter((form) => text.includes(form)).map((form) => `${secret} as ${JSON.stringify(form)}`));
}
