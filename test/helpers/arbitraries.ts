import fc from 'fast-check';

/**
 * Characters that stress the hashes: Retraced's escaped characters, JSON's escaped characters, code points just
 * around the UTF-16 surrogate range (where code-unit and code-point order disagree), non-BMP characters and a
 * combining mark (no normalization may happen).
 */
export const trickyChar: fc.Arbitrary<string> = fc.constantFrom(
  '%', ':', '=', ';', '"', '\\', '/', '\n', '\u0000', '\u001f', '\u007f', '\u0080', '\u00e9', 'e\u0301', '\u2028',
  '\ud7ff', '\ue000', '\ufb33', '\ufeff', '\uffff', '\u{10000}', '\ud83d\ude00', '\u{10ffff}', 'a', 'Z', '0', ' ',
);

/** Strings mixing ordinary ASCII, the tricky characters above, and arbitrary (well-formed) code points. */
export const mixedString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: fc.oneof(trickyChar, fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 })), maxLength: 12 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }), weight: 1 },
  { arbitrary: fc.constant(''), weight: 1 },
);

/** Finite doubles with the extremes and -0 well represented (fc.double already biases towards them). */
export const finiteDouble: fc.Arbitrary<number> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-0, 0, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MAX_SAFE_INTEGER, 2 ** 53, 1e21, 1e-7, 5e-324),
  fc.integer(),
);

/** JSON values whose strings and keys range over all of Unicode (non-BMP included) and whose numbers are any finite double. */
export const unicodeJsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    finiteDouble,
    mixedString,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(mixedString, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A copy of `value` with the keys of every object inserted in a different (seeded pseudo-random) order. */
export function shuffleKeys(value: unknown, seed: number): unknown {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    // xorshift32: deterministic, so a failing case replays exactly.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node).map(([key, child]) => [key, visit(child)] as const);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [entries[i], entries[j]] = [entries[j] as (typeof entries)[number], entries[i] as (typeof entries)[number]];
    }
    // fromEntries defines own properties, so a "__proto__" key stays a key.
    return Object.fromEntries(entries);
  };
  return visit(value);
}

