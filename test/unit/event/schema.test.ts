import { describe, expect, it } from 'vitest';
import { AuditsError, ValidationError } from '../../../src/errors.js';
import { auditEventJsonSchema, AuditEventSchema, type AuditEvent } from '../../../src/event/schema.js';
import { validateAuditEvent } from '../../../src/event/validate.js';
import { thrownBy } from '../../helpers/errors.js';

const fullEvent: AuditEvent = {
  id: 'evt-0001',
  action: 'user.login',
  time: '2024-05-01T12:00:00.123+02:00',
  tenant: { id: 't-1', name: 'Acme' },
  actor: { id: 'u-1', name: 'Zo\u00eb', email: 'zoe@example.com' },
  target: { id: 'doc-9', type: 'document', name: 'Plan', url: 'https://example.com/doc/9' },
  outcome: 'failure',
  anonymous: false,
  crud: 'r',
  severity: 'High',
  description: 'User logged in',
  url: '/api/login',
  ip: '2001:db8::1',
  userAgent: 'curl/8.0',
  location: 'Berlin',
  device: 'laptop',
  timezone: 'Europe/Berlin',
  fields: { reason: 'password', 'x y': '\ud83d\ude00' },
  tags: ['auth', 'login'],
};

/** The issues of the ValidationError that validateAuditEvent throws for `input`. */
function issuesOf(input: unknown): ReadonlyArray<{ path: string; message: string }> {
  const error = thrownBy(() => validateAuditEvent(input));
  expect(error).toBeInstanceOf(ValidationError);
  expect(error).toBeInstanceOf(AuditsError);
  expect((error as ValidationError).code).toBe('VALIDATION');
  return (error as ValidationError).issues;
}

function pathsOf(input: unknown): string[] {
  return issuesOf(input).map((issue) => issue.path);
}

describe('validateAuditEvent', () => {
  it('accepts a full valid event and returns it unchanged', () => {
    expect(validateAuditEvent(fullEvent)).toEqual(fullEvent);
  });

  it('accepts a minimal event with only an action', () => {
    expect(validateAuditEvent({ action: 'user.login' })).toEqual({ action: 'user.login' });
  });

  it('accepts a Date for time', () => {
    const time = new Date(0);
    expect(validateAuditEvent({ action: 'a', time }).time).toBe(time);
  });

  it('accepts an IPv4 address and a UTC time', () => {
    expect(validateAuditEvent({ action: 'a', ip: '192.0.2.1', time: '2024-01-01T00:00:00Z' })).toMatchObject({
      ip: '192.0.2.1',
    });
  });

  it('accepts an id of exactly 80 characters', () => {
    expect(validateAuditEvent({ action: 'a', id: 'x'.repeat(80) }).id).toHaveLength(80);
  });

  it('rejects a missing action at $.action', () => {
    expect(pathsOf({})).toEqual(['$.action']);
  });

  it('rejects an empty action at $.action', () => {
    expect(issuesOf({ action: '' })).toEqual([{ path: '$.action', message: 'must not be empty' }]);
  });

  it('rejects a non-object input at $', () => {
    expect(pathsOf(null)).toEqual(['$']);
    expect(pathsOf('user.login')).toEqual(['$']);
    expect(pathsOf([{ action: 'a' }])).toEqual(['$']);
  });

  it('rejects a wrong type in a nested object at its path', () => {
    expect(pathsOf({ action: 'a', actor: { id: 42 } })).toEqual(['$.actor.id']);
    expect(pathsOf({ action: 'a', tenant: { id: '' } })).toEqual(['$.tenant.id']);
    expect(pathsOf({ action: 'a', target: { type: 'doc' } })).toEqual(['$.target.id']);
  });

  it('rejects an unknown key (a typo) and names it', () => {
    const issues = issuesOf({ action: 'a', acton: 'a' });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('$');
    expect(issues[0]?.message).toContain('acton');
  });

  it('rejects an unknown key inside a nested object at that object', () => {
    const issues = issuesOf({ action: 'a', actor: { id: 'u', emial: 'x@example.com' } });
    expect(issues.map((issue) => issue.path)).toEqual(['$.actor']);
    expect(issues[0]?.message).toContain('emial');
  });

  it.each(['999.1.1.1', '1.2.3', 'localhost', '::g', '192.0.2.1/24', ''])('rejects the ip %j at $.ip', (ip) => {
    expect(pathsOf({ action: 'a', ip })).toEqual(['$.ip']);
  });

  it.each(['yesterday', '2024-01-01', '2024-01-01T00:00:00', '2024-13-01T00:00:00Z', '2024-02-30T00:00:00Z', 1714564800000])(
    'rejects the time %j at $.time',
    (time) => {
      expect(pathsOf({ action: 'a', time })).toEqual(['$.time']);
    },
  );

  it('rejects an invalid Date', () => {
    expect(pathsOf({ action: 'a', time: new Date(Number.NaN) })).toEqual(['$.time']);
  });

  it('rejects a non-string field value at $.fields.<key>', () => {
    expect(pathsOf({ action: 'a', fields: { count: 3 } })).toEqual(['$.fields.count']);
    expect(pathsOf({ action: 'a', fields: { 'x y': null } })).toEqual(['$.fields["x y"]']);
  });

  it('rejects an id longer than 80 characters', () => {
    expect(pathsOf({ action: 'a', id: 'x'.repeat(81) })).toEqual(['$.id']);
  });

  it('rejects an empty id', () => {
    expect(pathsOf({ action: 'a', id: '' })).toEqual(['$.id']);
  });

  it.each([
    ['outcome', 'ok', '$.outcome'],
    ['severity', 'info', '$.severity'],
    ['crud', 'x', '$.crud'],
    ['anonymous', 'yes', '$.anonymous'],
    ['tags', ['a', 1], '$.tags[1]'],
  ])('rejects a bad %s at its path', (key, value, path) => {
    expect(pathsOf({ action: 'a', [key]: value })).toEqual([path]);
  });

  it('reports every problem at once, and the message names each path', () => {
    const error = thrownBy(() => validateAuditEvent({ actor: { id: 5 }, fields: { count: 3 }, ip: 'nope' })) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['$.action', '$.actor.id', '$.fields.count', '$.ip']);
    for (const path of ['$.action', '$.actor.id', '$.fields.count', '$.ip']) expect(error.message).toContain(path);
  });

  it('agrees with AuditEventSchema.safeParse', () => {
    expect(AuditEventSchema.safeParse(fullEvent).success).toBe(true);
    expect(AuditEventSchema.safeParse({ action: 1 }).success).toBe(false);
  });
});

describe('auditEventJsonSchema', () => {
  const schema = auditEventJsonSchema() as {
    type?: unknown;
    properties: Record<string, Record<string, unknown>>;
    required: string[];
    additionalProperties?: unknown;
  };

  it('describes an object whose only required property is action', () => {
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['action']);
    expect(schema.properties.action).toMatchObject({ type: 'string', minLength: 1 });
  });

  it('forbids unknown properties, like the strict zod schema', () => {
    expect(schema.additionalProperties).toBe(false);
  });

  it('describes time as a date-time string (a Date travels as its ISO string)', () => {
    const time = schema.properties.time as Record<string, unknown> & { anyOf?: Array<Record<string, unknown>> };
    expect(time).toBeDefined();
    // Either one string schema or a union of them: every alternative must be a date-time string.
    const alternatives = time.anyOf ?? [time];
    expect(alternatives.length).toBeGreaterThan(0);
    for (const alternative of alternatives) expect(alternative).toMatchObject({ type: 'string', format: 'date-time' });
    expect(schema.required).not.toContain('time');
  });

  it('lists every field of the event model', () => {
    expect(Object.keys(schema.properties).sort()).toEqual(
      [
        'id', 'action', 'time', 'tenant', 'actor', 'target', 'outcome', 'anonymous', 'crud', 'severity',
        'description', 'url', 'ip', 'userAgent', 'location', 'device', 'timezone', 'fields', 'tags',
      ].sort(),
    );
  });

  it('describes fields as a map of strings', () => {
    expect(schema.properties.fields).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
  });

  it('is plain JSON (survives a JSON round trip unchanged)', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});

describe('a "__proto__" custom field', () => {
  it('is kept as data (spec/EVENT.md 4.5), never dropped and never a prototype', () => {
    const input = JSON.parse('{"action":"a","fields":{"__proto__":"x","ok":"y"}}') as unknown;
    const fields = validateAuditEvent(input).fields as Record<string, string>;
    expect(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(fields.ok).toBe('y');
  });

  it('is refused when it is not a string, like any other custom field', () => {
    const input = JSON.parse('{"action":"a","fields":{"__proto__":{"polluted":true}}}') as unknown;
    const error = thrownBy(() => validateAuditEvent(input));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([expect.objectContaining({ path: '$.fields.__proto__' })]);
  });
});

describe('the time message', () => {
  it('says what is expected when time is a number such as Date.now(), not only "Invalid input"', () => {
    expect(issuesOf({ action: 'a', time: Date.now() })).toEqual([
      { path: '$.time', message: expect.stringMatching(/ISO-8601 date-time string .* or a Date, not a number: pass new Date\(ms\)/) },
    ]);
  });

  it('names both accepted forms for another wrong type', () => {
    expect(issuesOf({ action: 'a', time: true })).toEqual([{ path: '$.time', message: expect.stringContaining('ISO-8601 date-time string with a time zone (e.g. ') }]);
  });
});
