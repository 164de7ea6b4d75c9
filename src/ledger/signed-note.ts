import { sign, verify } from 'node:crypto';
import type { NoteSigner, NoteVerifier } from './note-key.js';

/**
 * C2SP signed notes (https://c2sp.org/signed-note): the text (every line ending in "\n"), a blank line, then one
 * line per signature, `— <key name> <base64(key id || Ed25519 signature of the text)>`. The dash is U+2014.
 */
const SIGNATURE_PREFIX = '\u2014 ';

export function signNote(text: string, signer: NoteSigner): string {
  if (!isNoteText(text)) throw new RangeError('note text must be non-empty lines, each ending in a newline');
  const signature = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
  return `${text}\n${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([signer.keyId, signature]).toString('base64')}\n`;
}

export type OpenedNote =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: string };

/**
 * The note's text, if one of its signatures is a valid signature by `verifier` (signatures by other keys are
 * ignored, as the spec says a verifier does).
 */
export function openNote(note: string, verifier: NoteVerifier): OpenedNote {
  const split = note.lastIndexOf('\n\n');
  if (split === -1 || !note.endsWith('\n')) return { ok: false, reason: 'not a signed note (no blank line before signatures)' };
  const text = note.slice(0, split + 1);
  if (!isNoteText(text)) return { ok: false, reason: 'the note text is malformed' };
  const lines = note.slice(split + 2, -1).split('\n');
  let sawKeyName = false;
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return { ok: false, reason: 'a signature line does not start with "\u2014 "' };
    const [name, encoded, extra] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (name === undefined || encoded === undefined || extra !== undefined) return { ok: false, reason: 'a signature line is malformed' };
    const bytes = Buffer.from(encoded, 'base64');
    if (name !== verifier.name || bytes.length !== 68 || !bytes.subarray(0, 4).equals(verifier.keyId)) continue;
    sawKeyName = true;
    if (verify(null, Buffer.from(text, 'utf8'), verifier.publicKey, bytes.subarray(4))) return { ok: true, text };
  }
  return { ok: false, reason: sawKeyName ? `the signature by ${verifier.name} is invalid` : `no signature by the key ${verifier.name}+${verifier.keyId.toString('hex')}` };
}

function isNoteText(text: string): boolean {
  // Non-empty, newline-terminated, no blank line inside (it would be read as the start of the signatures).
  return text.length > 0 && text.endsWith('\n') && !text.includes('\n\n') && !text.startsWith('\n') && text.isWellFormed() && !/[\u0000-\u0009\u000b-\u001f\u007f]/.test(text);
}
