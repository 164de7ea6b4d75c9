import { describe, expect, it } from 'vitest';
import { JsonSyntaxError } from '../../../src/errors.js';
import { decodeUtf8, invalidUtf8Offset, Utf8StreamDecoder } from '../../../src/json/utf8.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('invalidUtf8Offset', () => {
  it.each([
    ['a lone continuation byte', bytes(0x61, 0x80), 1],
    ['0xff', bytes(0x7b, 0xff, 0xfe), 1],
    ['an overlong two-byte form (C0 AF)', bytes(0xc0, 0xaf), 0],
    ['an overlong three-byte form (E0 80 AF)', bytes(0xe0, 0x80, 0xaf), 0],
    ['an encoded surrogate (ED A0 80)', bytes(0x61, 0xed, 0xa0, 0x80), 1],
    ['a code point above U+10FFFF (F4 90 80 80)', bytes(0xf4, 0x90, 0x80, 0x80), 0],
    ['a sequence cut short by the next character', bytes(0xe2, 0x82, 0x61), 0],
    ['a sequence cut short by the end', bytes(0x61, 0x62, 0xe2, 0x82), 2],
  ])('finds %s', (_name, input, offset) => {
    expect(invalidUtf8Offset(input)).toBe(offset);
    // The native decoder agrees that the input is not UTF-8.
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(input)).toThrow();
  });

  it('accepts every well-formed sequence length, the highest code point included', () => {
    expect(invalidUtf8Offset(Buffer.from('a\u00e9\u20ac\u{1F600}\u{10FFFF}\uFFFD', 'utf8'))).toBe(-1);
  });
});

describe('Utf8StreamDecoder', () => {
  it('decodes characters split between chunks', () => {
    const whole = Buffer.from('{"a":"Zo\u00eb \u{1F600} \u20ac"}', 'utf8');
    const decoder = new Utf8StreamDecoder();
    let text = '';
    for (let i = 0; i < whole.length; i++) text += decoder.write(whole.subarray(i, i + 1));
    expect(text + decoder.end()).toBe('{"a":"Zo\u00eb \u{1F600} \u20ac"}');
  });

  it('names the offset of an invalid byte counted over every chunk', () => {
    const decoder = new Utf8StreamDecoder();
    decoder.write(Buffer.from('0123456789', 'utf8'));
    decoder.write(bytes(0x61, 0xe2));
    const error = (() => {
      try {
        decoder.write(bytes(0x82, 0xff));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(JsonSyntaxError);
    expect((error as Error).message).toBe('$: not valid JSON: invalid UTF-8 at byte offset 11 (byte 0xe2); I-JSON text must be UTF-8');
  });

  it('refuses input that ends inside a character', () => {
    const decoder = new Utf8StreamDecoder();
    decoder.write(bytes(0x61, 0xf0, 0x9f));
    expect(() => decoder.end()).toThrow('invalid UTF-8 at byte offset 1 (the input ends inside a character)');
  });

  it('keeps a byte order mark for the reader to handle, as it was in the input', () => {
    expect(decodeUtf8(Buffer.from('\uFEFF[]', 'utf8'))).toBe('\uFEFF[]');
  });
});
