import { describe, expect, it } from 'vitest';
import { generateLedgerKeys } from '../../src/ledger/ledger-keys.js';
import { loadSigner, parseVerifierKey } from '../../src/ledger/note-key.js';
import { openNote, signNote } from '../../src/ledger/signed-note.js';
import { keys, ORIGIN } from './ledger-fixture.js';

const TEXT = `${ORIGIN}\n3\n${Buffer.alloc(32, 7).toString('base64')}\n`;

describe('signed notes', () => {
  // Regression: the verifier key was split at every '+', so a key whose base64 holds one was refused.
  it('reads a verifier key whose base64 part contains "+"', () => {
    let publicKey = '';
    for (let attempt = 0; attempt < 200 && !publicKey.split('+').slice(2).join('+').includes('+'); attempt++) publicKey = generateLedgerKeys(ORIGIN).publicKey;
    expect(publicKey.split('+').length).toBeGreaterThan(3);
    expect(parseVerifierKey(publicKey).name).toBe(ORIGIN);
  });

  it('opens a note it signed, and ignores signature lines by other keys', () => {
    const { privateKey, verifier } = keys();
    const other = keys('someone.else/log');
    const note = signNote(TEXT, loadSigner(privateKey, ORIGIN));
    const cosigned = `${note}${signNote(TEXT, loadSigner(other.privateKey, 'someone.else/log')).split('\n\n')[1]}`;
    expect(openNote(note, verifier)).toEqual({ ok: true, text: TEXT });
    expect(openNote(cosigned, verifier)).toEqual({ ok: true, text: TEXT });
    expect(openNote(cosigned, other.verifier)).toEqual({ ok: true, text: TEXT });
  });

  it('refuses a note whose text changed after signing, or that another key of the same name signed', () => {
    const { privateKey, verifier } = keys();
    const note = signNote(TEXT, loadSigner(privateKey, ORIGIN));
    expect(openNote(note.replace('\n3\n', '\n4\n'), verifier)).toEqual({ ok: false, reason: `the signature by ${ORIGIN} is invalid` });
    const impostor = signNote(TEXT, loadSigner(keys().privateKey, ORIGIN));
    expect(openNote(impostor, verifier)).toEqual({ ok: false, reason: expect.stringMatching(/^no signature by the key /) });
  });

  it('refuses a verifier key with a wrong key id', () => {
    const publicKey = keys().publicKey;
    const first = publicKey.indexOf('+');
    const second = publicKey.indexOf('+', first + 1);
    expect(() => parseVerifierKey(`${publicKey.slice(0, first)}+00000000+${publicKey.slice(second + 1)}`)).toThrow('the key id does not match the name and key');
  });
});
