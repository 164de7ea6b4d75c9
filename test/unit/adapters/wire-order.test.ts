import { describe, expect, it } from 'vitest';
import type { PrepareContext } from '../../../src/adapters/adapter.js';
import { toAuditLogEvent } from '../../../src/adapters/auditlog.js';
import { toFronteggAudit } from '../../../src/adapters/frontegg.js';
import { toLogZabTrail } from '../../../src/adapters/logzab.js';
import { toRetracedEvent } from '../../../src/adapters/retraced.js';
import { normalizeEvent } from '../../../src/event/normalize.js';
import { validateAuditEvent } from '../../../src/event/validate.js';

// The mappings build wire objects with members already in canonical (UTF-16) order, so the serializer's fast path
// makes no sorted copy on the hot path (bench/results.md). A new member in the wrong place fails here, not silently
// in the benchmark.

const context: PrepareContext = { server: { id: 'host', version: '1.0.0' }, newId: () => 'id-1', now: () => new Date(0) };
const full = normalizeEvent(
  validateAuditEvent({
    id: 'e',
    action: 'a',
    tenant: { id: 't', name: 'T' },
    actor: { id: 'u', name: 'U', email: 'u@example.com' },
    target: { id: 'o', type: 'k', name: 'O', url: 'https://x.example/o' },
    outcome: 'failure',
    anonymous: false,
    crud: 'u',
    severity: 'High',
    description: 'd',
    url: 'https://x.example/p',
    ip: '203.0.113.9',
    userAgent: 'ua',
    location: 'l',
    device: 'dv',
    timezone: 'UTC',
    tags: ['x'],
  }),
  context,
);

/** Paths of the objects whose own keys are not in code-unit order. */
function unsortedObjects(value: unknown, path = '$'): string[] {
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => unsortedObjects(item, `${path}[${index}]`));
  const keys = Object.keys(value);
  const here = keys.some((key, index) => index > 0 && (keys[index - 1] as string) > key) ? [path] : [];
  return [...here, ...keys.flatMap((key) => unsortedObjects((value as Record<string, unknown>)[key], `${path}.${key}`))];
}

describe('mapped wire objects are built in canonical member order', () => {
  it.each([
    ['auditlog', () => toAuditLogEvent(full, context.server)],
    ['retraced', () => toRetracedEvent(full, context.server)],
    ['logzab', () => toLogZabTrail(full)],
    ['frontegg', () => toFronteggAudit(full)],
  ])('%s', (_name, map) => {
    expect(unsortedObjects(map())).toEqual([]);
  });
});
