import fc from 'fast-check';

// Hostile inputs shared by the fuzz property tests: values a JavaScript caller (or JSON.parse of an attacker's
// text) can hand to the library, and raw request bodies for the reference server. Every generator is bounded in
// size; the big ones are a few fixed strings built once.

export const BIG_STRING = 'x'.repeat(1 << 20);
const BIG_UNICODE = '\u{1F511}\u00e9'.repeat(1 << 16);

/** Keys that have meaning to JavaScript objects or are not valid Unicode. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'toJSON', 'then', '', ' ', '\u0000', '\ud800', '\udfff', 'a\r\nb', '$', '[0]', 'a.b', '\u202e'), weight: 3 },
  { arbitrary: fc.string({ maxLength: 8 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 6 }), weight: 1 },
);

/** Strings: control characters, CR/LF, lone surrogates, direction overrides, a megabyte. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom('', ' ', '\u0000', '\r\n', 'a\r\nX-Injected: 1', '\ud800', 'a\udfffb', '\udc00\ud800', '\u202eevil', '\ufeff', '\u{10ffff}', '%00', '${x}', '<script>', '../../etc/passwd', BIG_STRING, BIG_UNICODE), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: fc.constantFrom('\ud800', '\udc00', 'a', '\u0000', '\n'), maxLength: 8 }), weight: 1 },
);

/** Numbers with no I-JSON form, or at the edges of doubles; BigInts. */
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 5e-324, 1e308, 2 ** 53 + 1, -(2 ** 63)),
  fc.bigInt(),
  fc.double(),
  fc.integer(),
);

/** Nesting past the reference server's limit (1,000 levels: src/server/json-value.ts). */
export const DEEP = 10_000;

/** Nested arrays or objects `depth` levels deep, built without recursion. */
export function nested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

function cyclic(): unknown {
  const node: Record<string, unknown> = { action: 'user.login' };
  node.self = node;
  return node;
}

/** JavaScript values no JSON text makes: each one a trap for a validator, a serializer or a copier. */
export const exoticValue: fc.Arbitrary<unknown> = fc.constantFrom<() => unknown>(
  () => undefined,
  () => Symbol('s'),
  () => () => 'function',
  () => new Date(Number.NaN),
  () => new Date(0),
  () => new Map([['action', 'x']]),
  () => new Set([1]),
  () => /re/g,
  () => new Uint8Array([1, 2]),
  () => Buffer.from('buffer'),
  () => new Error('an error'),
  () => Promise.resolve(1),
  () => new String('boxed'),
  () => new Number(3),
  () => Object.create(null) as unknown,
  () => Object.assign(Object.create(null) as object, { action: 'user.login' }),
  () => ({ toJSON: () => cyclic() }),
  () => cyclic(),
  () => Object.assign([1, 2], { extra: true }),
  // eslint-disable-next-line no-sparse-arrays
  () => [1, , 3],
  () => new (class Custom { readonly action = 'user.login'; })(),
  () => nested(DEEP, 'array'),
  () => nested(DEEP, 'object'),
  () => JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}') as unknown,
).map((make) => make());

/**
 * Values that throw when read: a getter, a `toJSON`, Proxy traps. Kept apart from `hostileValue` because they need
 * their own assertion: each is refused with a ValidationError (the input could not be read) or, when the schema
 * never reads the throwing member, accepted (see test/reliability/found-bugs.test.ts, K2).
 */
export const throwingValue: fc.Arbitrary<unknown> = fc.constantFrom<() => unknown>(
  () => Object.defineProperty({ action: 'user.login' }, 'actor', { enumerable: true, get: () => { throw new Error('getter threw'); } }),
  () => ({ action: 'user.login', fields: { toJSON: () => { throw new Error('toJSON threw'); } } }),
  () => new Proxy({ action: 'user.login' }, { ownKeys: () => { throw new Error('ownKeys trap'); } }),
  () => new Proxy({ action: 'x' }, { get: () => { throw new Error('get trap'); } }),
  () => ({ action: 'user.login', tenant: new Proxy({ id: 't' }, { getOwnPropertyDescriptor: () => { throw new Error('descriptor trap'); } }) }),
).map((make) => make());

/** Any value: fast-check's `anything` with every option, plus the exotic and hostile ones. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    fc.anything({ withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withObjectString: true, withSparseArray: true, withTypedArray: true, withUnicodeString: true, maxDepth: 3 }),
    exoticValue,
    hostileString,
    hostileNumber,
    fc.tuple(fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }), fc.boolean()).map(([record, proto]) => withOwnKeys(record, proto)),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
})).value;

/**
 * `fc.dictionary` assigns keys, so a `__proto__` key changes the prototype instead of becoming a member; JSON.parse
 * makes it an own member, which is what attacker-controlled JSON gives. Re-create through JSON where possible.
 */
function withOwnKeys(record: Record<string, unknown>, protoKey: boolean): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  if (protoKey) Object.defineProperty(copy, '__proto__', { value: { polluted: 'yes' }, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** The top-level members of the common event and of the four vendor shapes: mutations aim at these. */
export const EVENT_PATHS: readonly string[] = [
  'id', 'action', 'time', 'tenant', 'tenant.id', 'tenant.name', 'actor', 'actor.id', 'actor.name', 'actor.email', 'target', 'target.id',
  'target.type', 'target.name', 'target.url', 'outcome', 'crud', 'severity', 'description', 'url', 'ip', 'userAgent', 'location', 'device',
  'timezone', 'fields', 'fields.note', 'tags', 'anonymous', 'tenantId', 'external_id', 'uuid', 'client', 'client.uuid', 'group', 'desc',
  '__proto__', 'constructor', 'constructor.prototype', 'unknownKey',
];

/** A valid common event with one member replaced (or added) by a hostile value at a chosen path. */
export function mutate(base: Record<string, unknown>, path: string, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  const segments = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const segment of segments.slice(0, -1)) {
    const next = Object.hasOwn(node, segment) ? node[segment] : undefined;
    if (typeof next !== 'object' || next === null) {
      const created: Record<string, unknown> = {};
      Object.defineProperty(node, segment, { value: created, enumerable: true, writable: true, configurable: true });
      node = created;
    } else node = next as Record<string, unknown>;
  }
  Object.defineProperty(node, segments.at(-1) as string, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** A snapshot of the built-in prototypes' own keys, to prove none was polluted. */
export function prototypeSnapshot(): string {
  const keys = (target: object): string[] => Reflect.ownKeys(target).map(String).sort();
  return JSON.stringify({ object: keys(Object.prototype), array: keys(Array.prototype), fn: keys(Function.prototype), string: keys(String.prototype) });
}

/** Whether a plain object now inherits something it should not. */
export function looksPolluted(): boolean {
  const probe = {} as Record<string, unknown>;
  return probe.polluted !== undefined || (probe as { isAdmin?: unknown }).isAdmin !== undefined || prototypeSnapshot() !== BASELINE;
}

const BASELINE = prototypeSnapshot();

/**
 * Collects unhandled rejections and uncaught exceptions while `run` executes; vitest would also fail the run, but
 * this ties each one to the test that caused it and lets the test count them.
 */
export async function watchProcess<T>(run: () => Promise<T>): Promise<{ result: T; unhandled: unknown[] }> {
  const unhandled: unknown[] = [];
  const onRejection = (reason: unknown): void => void unhandled.push(reason);
  const onException = (error: unknown): void => void unhandled.push(error);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  try {
    const result = await run();
    // Give rejections created at the very end one turn to be reported.
    await new Promise((resolve) => setImmediate(resolve));
    return { result, unhandled };
  } finally {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  }
}

/** JSON-ish texts for raw bodies: the hostile shapes a parser and a router meet. */
export const hostileJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'null',
    'true',
    '0',
    '"string"',
    '[]',
    '{}',
    '{"__proto__":{"polluted":"yes"}}',
    '[{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"isAdmin":true}}}]',
    '{"events":[{"__proto__":{"polluted":"yes"}}]}',
    '{"a":1,"a":2}',
    '12345678901234567890123456789012345678901234567890',
    '{"n":1e400,"m":-1e400,"z":-0,"big":123456789012345678901234567890}',
    '"\\ud800"',
    '{"\\ud800":"\\udfff"}',
    '\ufeff{}',
    '{"a":1} trailing',
    '{"a":',
    '[1,2,',
    '{"a":"\\u0000"}',
    'not json at all',
    '<xml/>',
    `[${'['.repeat(100_000)}${']'.repeat(100_000)}]`,
    `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`,
    `{"big":"${BIG_STRING}"}`,
  ),
  fc.json({ maxDepth: 4 }),
  hostileValue.map((value) => {
    try {
      return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? `${inner}` : inner)) ?? 'undefined';
    } catch {
      return '{"unserializable":true}';
    }
  }),
  fc.string({ unit: 'binary', maxLength: 64 }),
);
