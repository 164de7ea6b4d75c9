import { describe, expect, it } from 'vitest';
import { AuditsError, CanonicalizationError, JsonSyntaxError, ValidationError } from '../../../src/errors.js';
import { parseIJson } from '../../../src/json/parse-i-json.js';
import { expectCanonicalizationError, thrownBy } from '../../helpers/errors.js';

describe('parseIJson', () => {
  describe('valid I-JSON', () => {
    it.each([
      ['a number', '42'],
      ['a string', '"x"'],
      ['null', 'null'],
      ['an empty object', '{}'],
      ['an empty array', '[]'],
      ['nested containers', '{"a":[1,{"b":{"c":[]}}],"d":{"e":null}}'],
      ['whitespace around tokens', ' \n\t{ "a" : [ 1 , 2 ] ,\r\n "b" : { } } \n'],
      ['a large array', `[${Array.from({ length: 1000 }, (_, i) => `{"k":${i}}`).join(',')}]`],
    ])('returns what JSON.parse returns for %s', (_name, text) => {
      expect(parseIJson(text)).toEqual(JSON.parse(text));
    });

    it('accepts the same key in sibling objects', () => {
      expect(parseIJson('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }]);
      expect(parseIJson('{"x":{"a":1},"y":{"a":2}}')).toEqual({ x: { a: 1 }, y: { a: 2 } });
    });

    it('accepts the same key in an object and in the object nested inside it', () => {
      expect(parseIJson('{"a":{"a":{"a":1}}}')).toEqual({ a: { a: { a: 1 } } });
    });

    it('accepts a value equal to a key', () => {
      expect(parseIJson('{"a":"a","b":"a","c":["a","b"]}')).toEqual({ a: 'a', b: 'a', c: ['a', 'b'] });
    });

    it('is not confused by braces, brackets, colons and commas inside strings', () => {
      const text = '{"k":"{\\"a\\":1,\\"a\\":2}","x:y":"[,]","a":1,"s":"}}]]{{","z":{"q":":,"}}';
      expect(parseIJson(text)).toEqual(JSON.parse(text));
    });

    it('is not confused by an escaped quote or a trailing backslash in a string', () => {
      const text = '{"a\\"":1,"b\\\\":{"c":"\\\\"},"d":"\\"}","e":{"c":1}}';
      expect(parseIJson(text)).toEqual({ 'a"': 1, 'b\\': { c: '\\' }, d: '"}', e: { c: 1 } });
    });

    it('distinguishes keys that differ only in escaping of different characters', () => {
      expect(parseIJson('{"a":1,"A":2,"\\u00e9":3,"e\\u0301":4}')).toEqual({ a: 1, A: 2, '\u00e9': 3, 'e\u0301': 4 });
    });

    it('leaves numbers that overflow and lone surrogates for canonicalJson to reject', () => {
      expect(parseIJson('{"n":1e400}')).toEqual({ n: Number.POSITIVE_INFINITY });
      expect(parseIJson('{"s":"\\ud800"}')).toEqual({ s: '\ud800' });
    });
  });

  describe('duplicate keys', () => {
    it('rejects a duplicate key at the top level with its path', () => {
      expectCanonicalizationError(() => parseIJson('{"a":1,"a":2}'), '$.a');
    });

    it('rejects a duplicate key in a nested object ($.a.b)', () => {
      expectCanonicalizationError(() => parseIJson('{"a":{"b":1,"b":2}}'), '$.a.b');
    });

    it('rejects a duplicate key in an object inside an array ($[1].x)', () => {
      expectCanonicalizationError(() => parseIJson('[{"x":1},{"x":1,"x":2}]'), '$[1].x');
    });

    it('counts array elements correctly after nested containers and strings with commas', () => {
      expectCanonicalizationError(() => parseIJson('[[1,2],"a,b",{"c":[3,4]},{"k":1,"k":2}]'), '$[3].k');
      expectCanonicalizationError(() => parseIJson('{"list":[1,{"k":1,"k":2}]}'), '$.list[1].k');
    });

    it('tracks the current key after a nested container closes', () => {
      expectCanonicalizationError(() => parseIJson('{"a":[1,2],"b":{"c":1,"c":2}}'), '$.b.c');
      expectCanonicalizationError(() => parseIJson('{"a":{"x":1},"b":{"x":{"y":1,"y":2}}}'), '$.b.x.y');
    });

    it('compares keys after decoding escapes ("a" and "\\u0061" collide)', () => {
      expectCanonicalizationError(() => parseIJson('{"a":1,"\\u0061":2}'), '$.a');
      expectCanonicalizationError(() => parseIJson('{"\\u00e9":1,"\u00e9":2}'), '$["\u00e9"]');
      expectCanonicalizationError(() => parseIJson('{"\\/":1,"/":2}'), '$["/"]');
    });

    it('quotes keys that are not identifiers in the path', () => {
      expectCanonicalizationError(() => parseIJson('{"x y":1,"x y":2}'), '$["x y"]');
      expectCanonicalizationError(() => parseIJson('{"":1,"":2}'), '$[""]');
      expectCanonicalizationError(() => parseIJson('{"a\\"b":1,"a\\"b":2}'), '$["a\\"b"]');
      expectCanonicalizationError(() => parseIJson('{"o":{"1":1,"1":2}}'), '$.o["1"]');
    });

    it('rejects a duplicate __proto__ key', () => {
      expectCanonicalizationError(() => parseIJson('{"__proto__":1,"__proto__":2}'), '$.__proto__');
    });

    it('rejects a duplicate that follows a key containing braces and colons', () => {
      expectCanonicalizationError(() => parseIJson('{"{:}":1,"b":2,"b":3}'), '$.b');
    });

    it('says what is wrong in the message', () => {
      expect(expectCanonicalizationError(() => parseIJson('{"a":1,"a":2}'), '$.a').message).toMatch(/duplicate/);
    });
  });

  describe('syntax errors', () => {
    it.each([
      ['an empty text', ''],
      ['a truncated object', '{"a":1'],
      ['a trailing comma', '[1,2,]'],
      ['a single-quoted string', "{'a':1}"],
      ['a bare word', 'hello'],
      ['two values', '{} {}'],
      ['NaN', 'NaN'],
      ['a comment', '{"a":1 /* c */}'],
      ['an unescaped control character in a string', '"a\u0001b"'],
    ])('raises JsonSyntaxError for %s', (_name, text) => {
      const error = thrownBy(() => parseIJson(text));
      expect(error).toBeInstanceOf(JsonSyntaxError);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toBeInstanceOf(AuditsError);
      expect(error).not.toBeInstanceOf(CanonicalizationError);
      expect((error as JsonSyntaxError).code).toBe('JSON_SYNTAX');
      expect((error as JsonSyntaxError).message).toMatch(/not valid JSON/);
    });

    it('reports a syntax error rather than a duplicate key when the text is both', () => {
      expect(() => parseIJson('{"a":1,"a":2')).toThrow(JsonSyntaxError);
    });
  });
});
