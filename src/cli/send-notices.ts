import type { AuditsClient } from '../client/audits-client.js';
import type { RetryInfo } from '../delivery/batch-delivery.js';
import { DeliveryError } from '../errors.js';
import { oneLine } from './error-line.js';

/**
 * The path each built-in adapter appends to the endpoint (src/adapters: auditlog.ts, retraced.ts, logzab.ts,
 * frontegg.ts, after shared/reference/wire/README.md sections 1-4).
 */
const APPENDED_PATHS: Readonly<Record<string, RegExp>> = {
  auditlog: /\/api\/v1\/events\/?$/i,
  retraced: /\/publisher\/v1\/project\/[^/]+\/event(?:\/bulk)?\/?$|\/publisher\/v1\/?$/i,
  logzab: /\/v1\/addTrail\/?$/i,
  frontegg: /\/audits\/?$/i,
};

const SHOWN_PATHS: Readonly<Record<string, string>> = {
  auditlog: '/api/v1/events',
  retraced: '/publisher/v1/project/{projectId}/event',
  logzab: '/v1/addTrail',
  frontegg: '/audits/',
};

/** A warning when the endpoint already ends with the path the adapter appends (requests would go to it twice). */
export function endpointPathWarning(adapter: string, endpoint: string | undefined): string | undefined {
  if (endpoint === undefined) return undefined;
  let path: string;
  try {
    path = new URL(endpoint).pathname;
  } catch {
    return undefined;
  }
  if (!(APPENDED_PATHS[adapter]?.test(path) ?? false)) return undefined;
  return `auditwire: warning: the endpoint ${new URL(endpoint).origin}${path} already ends with ${SHOWN_PATHS[adapter]}, which the ${adapter} adapter appends itself; give the service's base URL`;
}

/** Said once after failures with 404: the likely cause is an endpoint that is not the base URL. */
export function notFoundHint(adapter: string): string {
  return `auditwire: the server answered 404 (not found): the ${adapter} adapter appends ${SHOWN_PATHS[adapter] ?? 'its vendor path'} to the endpoint, so the endpoint must be the service's base URL, without that path`;
}

/**
 * Says at once, on stderr, that requests are failing and being retried: once per kind of failure (cannot connect,
 * or an HTTP status), so a down server is reported in the first second rather than when the deadline runs out.
 */
export function reportRetries(client: AuditsClient, err: (line: string) => void, mask: (text: string) => string): void {
  const said = new Set<string>();
  client.on('retry', (info: RetryInfo) => {
    const status = info.error instanceof DeliveryError ? info.error.status : undefined;
    const kind = status === undefined ? info.error.code : String(status);
    if (said.has(kind)) return;
    said.add(kind);
    const what = status === undefined && info.error.code === 'DELIVERY' ? 'cannot connect to the server' : `the server answered ${status ?? info.error.code}`;
    const wait = `retrying in ${(info.delayMs / 1000).toFixed(1)} s, and on until the delivery deadline (Ctrl-C stops)`;
    err(mask(oneLine(`auditwire: ${what} (${info.error.message}); ${wait}`)));
  });
}
