import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { encodeVerifierKey, isKeyName, rawPublicKey } from './note-key.js';

export interface LedgerKeyPair {
  /** The Ed25519 private key as PKCS#8 PEM: `ledger.signingKey`. Keep it secret. */
  readonly privateKey: string;
  /** The signed-note verifier key `<origin>+<key id>+<base64 key>`, for `ledger verify --public-key`. */
  readonly publicKey: string;
}

/** A fresh Ed25519 key pair for signing a ledger's checkpoints, its key named `origin`. */
export function generateLedgerKeys(origin: string): LedgerKeyPair {
  if (!isKeyName(origin)) throw new RangeError('the origin must be a non-empty name without spaces or "+"');
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { privateKey: pem, publicKey: encodeVerifierKey(origin, rawPublicKey(createPublicKey(privateKey))) };
}
