import { isRetryableStatus, parseRetryAfter } from '../transport/retry-policy.js';
import type { HttpResponse, RequestFailure } from './adapter.js';

/** A request-level failure from any non-success response; adapters use it for the statuses they do not read. */
export function failureFromResponse(response: HttpResponse, message?: string): RequestFailure {
  return {
    status: response.status,
    retryable: isRetryableStatus(response.status),
    message: message ?? `HTTP ${response.status}${summarize(response.body)}`,
    retryAfterMs: parseRetryAfter(response.headers['retry-after'], Date.now()),
    body: response.body.slice(0, 2048),
  };
}

function summarize(body: string): string {
  const text = body.trim().replace(/\s+/g, ' ');
  return text === '' ? '' : `: ${text.slice(0, 200)}`;
}
