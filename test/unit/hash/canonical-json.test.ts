import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/hash/canonical-json.js';
import { expectCanonicalizationError } from '../../helpers/errors.js';

/** The double whose IEEE 754 bit pattern is `hex` (16 hex digits), so the test does not depend on number parsing. */
function doubleFromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('canonicalJson: RFC 8785 serialization', () => {
  describe('key order', () => {
    it('sorts the keys of the RFC 8785 section 3.2.3 example by UTF-16 code unit', () => {
      const input = {
        '\u20ac': 'Euro Sign',
        '\r': 'Carriage Return',
        '\ufb33': 'Hebrew Letter Dalet With Dagesh',
        '1': 'One',
        '\ud83d\ude00': 'Emoji: Grinning Face',
        '\u0080': 'Control',
        '\u00f6': 'Latin Small Letter O With Diaeresis',
      };
      const expected =
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
      expect(canonicalJson(input)).toBe(expected);
    });

    it('orders by UTF-16 code unit, not by code point, so U+FFFF sorts after a non-BMP character', () => {
      // By code point U+1F600 > U+FFFF; by UTF-16 code unit 0xD83D < 0xFFFF, and RFC 8785 requires the latter.
      expect(canonicalJson({ '\uffff': 1, '\ud83d\ude00': 2 })).toBe('{"\ud83d\ude00":2,"\uffff":1}');
      expect(canonicalJson({ '\ue000': 1, '\u{10000}': 2 })).toBe('{"\u{10000}":2,"\ue000":1}');
    });

    it('sorts nested objects too and keeps array order', () => {
      expect(canonicalJson({ b: [{ z: 1, a: 2 }, 3, 1], a: { y: null, x: true } })).toBe(
        '{"a":{"x":true,"y":null},"b":[{"a":2,"z":1},3,1]}',
      );
    });

    it('sorts a key before every key it is a prefix of', () => {
      expect(canonicalJson({ ab: 1, a: 2, '': 3, b: 4 })).toBe('{"":3,"a":2,"ab":1,"b":4}');
    });
  });

  it('reproduces the RFC 8785 section 3.2.2 example byte for byte', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown;
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  describe('numbers (RFC 8785 Appendix B)', () => {
    const appendixB: ReadonlyArray<readonly [bits: string, literal: number, expected: string]> = [
      ['0000000000000000', 0, '0'],
      ['8000000000000000', -0, '0'],
      ['0000000000000001', 5e-324, '5e-324'],
      ['8000000000000001', -5e-324, '-5e-324'],
      ['7fefffffffffffff', 1.7976931348623157e308, '1.7976931348623157e+308'],
      ['ffefffffffffffff', -1.7976931348623157e308, '-1.7976931348623157e+308'],
      ['4340000000000000', 9007199254740992, '9007199254740992'],
      ['c340000000000000', -9007199254740992, '-9007199254740992'],
      ['4430000000000000', 295147905179352830000, '295147905179352830000'],
      ['44b52d02c7e14af5', 9.999999999999997e22, '9.999999999999997e+22'],
      ['44b52d02c7e14af6', 1e23, '1e+23'],
      ['44b52d02c7e14af7', 1.0000000000000001e23, '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', 999999999999999700000, '999999999999999700000'],
      ['444b1ae4d6e2ef4f', 999999999999999900000, '999999999999999900000'],
      ['444b1ae4d6e2ef50', 1e21, '1e+21'],
      ['3eb0c6f7a0b5ed8c', 9.999999999999997e-7, '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', 0.000001, '0.000001'],
      ['41b3de4355555553', 333333333.3333332, '333333333.3333332'],
      ['41b3de4355555554', 333333333.33333325, '333333333.33333325'],
      ['41b3de4355555555', 333333333.3333333, '333333333.3333333'],
      ['41b3de4355555556', 333333333.3333334, '333333333.3333334'],
      ['41b3de4355555557', 333333333.33333343, '333333333.33333343'],
      ['becbf647612f3696', -0.0000033333333333333333, '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', 1424953923781206.2, '1424953923781206.2'],
    ];

    it.each(appendixB)('serializes the double with bits %s as in Appendix B', (bits, literal, expected) => {
      const value = doubleFromBits(bits);
      expect(Object.is(value, literal)).toBe(true);
      expect(canonicalJson(value)).toBe(expected);
      expect(canonicalJson([value])).toBe(`[${expected}]`);
      expect(canonicalJson({ n: value })).toBe(`{"n":${expected}}`);
    });

    it('writes -0 as 0', () => {
      expect(canonicalJson(-0)).toBe('0');
      expect(canonicalJson({ z: -0 })).toBe('{"z":0}');
    });

    it('switches to exponent notation below 1e-6', () => {
      expect(canonicalJson(5e-7)).toBe('5e-7');
      expect(canonicalJson(1e-7)).toBe('1e-7');
      expect(canonicalJson(0.000001)).toBe('0.000001');
    });

    it('writes integers up to 1e21 without an exponent', () => {
      expect(canonicalJson(1e20)).toBe('100000000000000000000');
      expect(canonicalJson(1e21)).toBe('1e+21');
      expect(canonicalJson(-42)).toBe('-42');
      expect(canonicalJson(4.5)).toBe('4.5');
    });
  });

  describe('strings', () => {
    const shortEscapes: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };

    it('escapes every control character U+0000..U+001F, with the short forms where JSON has one', () => {
      for (let code = 0; code <= 0x1f; code++) {
        const expected = shortEscapes[code] ?? `\\u${code.toString(16).padStart(4, '0')}`;
        expect(canonicalJson(String.fromCharCode(code)), `U+${code.toString(16)}`).toBe(`"${expected}"`);
      }
    });

    it('uses lowercase hex in \\u escapes', () => {
      expect(canonicalJson('\u001f\u000b')).toBe('"\\u001f\\u000b"');
    });

    it('escapes the quotation mark and the backslash', () => {
      expect(canonicalJson('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    });

    it('writes U+007F, U+2028, U+2029, "/" and non-ASCII characters raw', () => {
      const raw = '\u007f\u2028\u2029/\u00e9\u20ac\ud83d\ude00\u{10ffff}';
      expect(canonicalJson(raw)).toBe(`"${raw}"`);
    });

    it('does not normalize Unicode: NFC and NFD spellings stay different', () => {
      const nfc = '\u00e9';
      const nfd = 'e\u0301';
      expect(nfc.normalize('NFD')).toBe(nfd);
      expect(canonicalJson(nfc)).toBe('"\u00e9"');
      expect(canonicalJson(nfd)).toBe('"e\u0301"');
      expect(canonicalJson(nfc)).not.toBe(canonicalJson(nfd));
      expect(canonicalJson({ [nfc]: 1, [nfd]: 2 })).toBe('{"e\u0301":2,"\u00e9":1}');
    });

    it('escapes control characters in keys as well', () => {
      expect(canonicalJson({ 'a\nb': 1, '"': 2 })).toBe('{"\\"":2,"a\\nb":1}');
    });
  });

  describe('JavaScript values that follow JSON.stringify conventions', () => {
    it('writes the literals', () => {
      expect(canonicalJson(null)).toBe('null');
      expect(canonicalJson(true)).toBe('true');
      expect(canonicalJson(false)).toBe('false');
      expect(canonicalJson('')).toBe('""');
    });

    it('turns a Date into its ISO string through toJSON', () => {
      expect(canonicalJson(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe('"2024-01-02T03:04:05.006Z"');
      expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    });

    it('honours a custom toJSON', () => {
      const money = { toJSON: () => ({ currency: 'EUR', cents: 150 }) };
      expect(canonicalJson({ price: money })).toBe('{"price":{"cents":150,"currency":"EUR"}}');
    });

    it('unwraps boxed primitives', () => {
      expect(canonicalJson([new Number(1.5), new String('s'), new Boolean(false)])).toBe('[1.5,"s",false]');
    });

    it('omits object members whose value is undefined, a function or a symbol', () => {
      expect(canonicalJson({ a: undefined, b: 1, c: () => 1, d: Symbol('d') })).toBe('{"b":1}');
      expect(canonicalJson({ only: undefined })).toBe('{}');
    });

    it('omits an object member whose toJSON returns undefined', () => {
      expect(canonicalJson({ gone: { toJSON: () => undefined }, kept: 1 })).toBe('{"kept":1}');
    });

    it('writes nested empty containers', () => {
      expect(canonicalJson({})).toBe('{}');
      expect(canonicalJson([])).toBe('[]');
      expect(canonicalJson({ a: {}, b: [], c: [[], {}, [{}]], d: { e: { f: [] } } })).toBe(
        '{"a":{},"b":[],"c":[[],{},[{}]],"d":{"e":{"f":[]}}}',
      );
    });

    it('accepts a value referenced twice when it is not a cycle', () => {
      const shared = { k: 1 };
      const list = [shared];
      expect(canonicalJson({ a: shared, b: [shared, shared], c: list, d: list })).toBe(
        '{"a":{"k":1},"b":[{"k":1},{"k":1}],"c":[{"k":1}],"d":[{"k":1}]}',
      );
    });

    it('accepts a Date shared by siblings (toJSON wrappers are released after use)', () => {
      const at = new Date(0);
      expect(canonicalJson([at, { at }])).toBe('["1970-01-01T00:00:00.000Z",{"at":"1970-01-01T00:00:00.000Z"}]');
    });
  });

  describe('deep nesting', () => {
    const DEPTH = 50_000;

    it('serializes 50,000 levels of nested arrays without overflowing the stack', () => {
      let deep: unknown = [];
      for (let level = 0; level < DEPTH; level++) deep = [deep];
      expect(canonicalJson(deep)).toBe('['.repeat(DEPTH + 1) + ']'.repeat(DEPTH + 1));
    });

    it('serializes 50,000 levels of nested objects without overflowing the stack', () => {
      let deep: unknown = {};
      for (let level = 0; level < DEPTH; level++) deep = { a: deep };
      expect(canonicalJson(deep)).toBe('{"a":'.repeat(DEPTH) + '{}' + '}'.repeat(DEPTH));
    });

    it('names the full path of a bad value 50,000 levels down', () => {
      let deep: unknown = [Number.NaN];
      for (let level = 0; level < DEPTH; level++) deep = [deep];
      expectCanonicalizationError(() => canonicalJson(deep), '$' + '[0]'.repeat(DEPTH + 1));
    });
  });
});

describe('canonicalJson: rejecting what is not I-JSON', () => {
  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a BigInt', 10n],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', 'a\udc00b'],
    ['a surrogate pair in the wrong order', '\ude00\ud83d'],
    ['a string ending in a high surrogate', 'abc\ud83d'],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['undefined', undefined],
    ['a Map', new Map([['a', 1]])],
    ['an empty Set', new Set()],
    ['a boxed NaN', new Number(Number.NaN)],
    ['a toJSON returning undefined', { toJSON: () => undefined }],
  ])('rejects %s at the top level with path $', (_name, value) => {
    expectCanonicalizationError(() => canonicalJson(value), '$');
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a BigInt', 1n],
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', '\udfff'],
    ['a function', function named() {}],
    ['a symbol', Symbol.iterator],
    ['undefined', undefined],
    ['a Map', new Map()],
    ['a Set', new Set([1])],
    ['a toJSON returning undefined', { toJSON: () => undefined }],
  ])('rejects %s as an array element with path $[1]', (_name, value) => {
    expectCanonicalizationError(() => canonicalJson(['ok', value, 'ok']), '$[1]');
  });

  it('rejects a hole in a sparse array (an undefined element)', () => {
    expectCanonicalizationError(() => canonicalJson([1, , 3]), '$[1]');
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a BigInt', 2n ** 70n],
    ['a lone surrogate', 'x\udbffy'],
    ['a Map', new Map()],
    ['a Set', new Set()],
  ])('rejects %s as an object member, naming it ($.fields.count)', (_name, value) => {
    expectCanonicalizationError(() => canonicalJson({ action: 'a', fields: { count: value } }), '$.fields.count');
  });

  it('names array indexes and keys along a deep path', () => {
    expectCanonicalizationError(() => canonicalJson({ a: [0, 1, { b: Number.NaN }] }), '$.a[2].b');
    expectCanonicalizationError(() => canonicalJson({ a: [0, 1, { b: [[1n]] }] }), '$.a[2].b[0][0]');
  });

  it('quotes keys that are not identifiers', () => {
    expectCanonicalizationError(() => canonicalJson({ 'x y': Number.POSITIVE_INFINITY }), '$["x y"]');
    expectCanonicalizationError(() => canonicalJson({ '1': Number.NaN }), '$["1"]');
    expectCanonicalizationError(() => canonicalJson({ 'a"b': { c: 1n } }), '$["a\\"b"].c');
    expectCanonicalizationError(() => canonicalJson({ '': Number.NaN }), '$[""]');
  });

  it('rejects a lone surrogate in a key, printing the key JSON-escaped', () => {
    const error = expectCanonicalizationError(() => canonicalJson({ '\ud800': 1 }), '$["\\ud800"]');
    expect(error.path).toBe(`$[${JSON.stringify('\ud800')}]`);
    expectCanonicalizationError(() => canonicalJson({ ok: { 'x\udc00': 'v' } }), '$.ok["x\\udc00"]');
  });

  it('rejects a lone surrogate key even when its value would be omitted', () => {
    expectCanonicalizationError(() => canonicalJson({ '\ud800': undefined }), '$["\\ud800"]');
  });

  it('rejects an object that contains itself', () => {
    const node: Record<string, unknown> = { name: 'n' };
    node.self = node;
    expectCanonicalizationError(() => canonicalJson(node), '$.self');
    expectCanonicalizationError(() => canonicalJson({ wrap: [node] }), '$.wrap[0].self');
  });

  it('rejects an array that contains itself', () => {
    const list: unknown[] = [1];
    list.push(list);
    expectCanonicalizationError(() => canonicalJson(list), '$[1]');
    const outer: unknown[] = [];
    outer.push([outer]);
    expectCanonicalizationError(() => canonicalJson(outer), '$[0][0]');
  });

  it('rejects a toJSON that returns an ancestor', () => {
    const root: Record<string, unknown> = {};
    root.child = { toJSON: () => root };
    expectCanonicalizationError(() => canonicalJson(root), '$.child');
  });

  it('rejects a Map or Set nested inside objects and arrays', () => {
    expectCanonicalizationError(() => canonicalJson({ m: new Map() }), '$.m');
    expectCanonicalizationError(() => canonicalJson({ list: [{ s: new Set() }] }), '$.list[0].s');
  });

  it('says what is wrong in the message', () => {
    expect(expectCanonicalizationError(() => canonicalJson({ n: Number.NaN }), '$.n').message).toMatch(/NaN/);
    expect(expectCanonicalizationError(() => canonicalJson({ n: 1n }), '$.n').message).toMatch(/BigInt/);
    const cyclic: Record<string, unknown> = {};
    cyclic.c = cyclic;
    expect(expectCanonicalizationError(() => canonicalJson(cyclic), '$.c').message).toMatch(/cycle/);
  });

  it('does not mistake a cycle error for a problem once the value is fixed', () => {
    const node: Record<string, unknown> = { a: 1 };
    node.self = node;
    expectCanonicalizationError(() => canonicalJson(node), '$.self');
    delete node.self;
    expect(canonicalJson(node)).toBe('{"a":1}');
  });

  // Regression (found in review): canonicalJson(Object(1n)) returns "{}" instead of throwing. A boxed BigInt is unwrapped by JSON.stringify
  // (which then throws TypeError), but assertIJson only unboxes Number/String/Boolean, so the BigInt wrapper is
  // walked as an empty plain object and silently hashed as {} (canonicalize does the same).
  it('rejects a boxed BigInt instead of writing it as {}', () => {
    expectCanonicalizationError(() => canonicalJson(Object(1n)), '$');
    expectCanonicalizationError(() => canonicalJson({ n: Object(1n) }), '$.n');
  });
});
