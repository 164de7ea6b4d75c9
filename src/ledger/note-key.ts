import { createPrivateKey, createPublicKey, hash, type KeyObject } from 'node:crypto';

/**
 * Ed25519 keys in the C2SP signed-note encoding (https://c2sp.org/signed-note), the one Go's
 * golang.org/x/mod/sumdb/note reads: a verifier key is `<name>+<key id as 8 hex>+<base64(0x01 || public key)>`,
 * the key id being the first 4 bytes of SHA-256(name || "\n" || 0x01 || public key).
 */

/** The signed-note algorithm byte for Ed25519. */
const ED25519 = 0x01;

export interface NoteVerifier {
  readonly name: string;
  /** The 4-byte key id, as in a signature line. */
  readonly keyId: Buffer;
  readonly publicKey: KeyObject;
}

export interface NoteSigner extends NoteVerifier {
  readonly privateKey: KeyObject;
}

/** A key name is non-empty, has no whitespace and no '+' (signed-note "Format", key names). */
export function isKeyName(name: string): boolean {
  return name.length > 0 && name.isWellFormed() && !/[\s+]/u.test(name) && !/\p{Cc}/u.test(name);
}

export function keyId(name: string, rawPublicKey: Buffer): Buffer {
  return hash('sha256', Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.from([ED25519]), rawPublicKey]), 'buffer').subarray(0, 4);
}

export function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new TypeError('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

export function encodeVerifierKey(name: string, raw: Buffer): string {
  return `${name}+${keyId(name, raw).toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), raw]).toString('base64')}`;
}

/** Reads a verifier key (the `.pub` file); throws a RangeError saying what is wrong. */
export function parseVerifierKey(text: string): NoteVerifier {
  // The base64 key may itself contain '+': split at the first two only, as sumdb/note does.
  const match = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(text.trim());
  if (match === null) throw new RangeError('a verifier key is <name>+<8 hex digits>+<base64 key>');
  const [, name, idHex, keyBase64] = match as unknown as [string, string, string, string];
  if (!isKeyName(name)) throw new RangeError(`"${name}" is not a valid key name`);
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new RangeError('the key id must be 8 lowercase hex digits');
  const key = Buffer.from(keyBase64, 'base64');
  if (key.toString('base64') !== keyBase64 || key.length !== 33 || key[0] !== ED25519) {
    throw new RangeError('the key must be base64 of 0x01 followed by a 32-byte Ed25519 public key');
  }
  const raw = key.subarray(1);
  const id = keyId(name, raw);
  if (id.toString('hex') !== idHex) throw new RangeError('the key id does not match the name and key');
  return { name, keyId: id, publicKey: publicKeyFromRaw(raw) };
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/**
 * The signer for an Ed25519 private key in PKCS#8 PEM (what `auditwire ledger keygen` writes), named `name`.
 * The error never quotes the key: it may be a secret that was merely mistyped.
 */
export function loadSigner(pem: string, name: string): NoteSigner {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new TypeError('is not a PKCS#8 PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError(`is a ${privateKey.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  const publicKey = createPublicKey(privateKey);
  return { name, keyId: keyId(name, rawPublicKey(publicKey)), publicKey, privateKey };
}
