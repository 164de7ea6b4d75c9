import { resolve as resolvePath } from 'node:path';
import type { ValidationIssue } from '../errors.js';
import { isKeyName, loadSigner, type NoteSigner } from './note-key.js';

/** Where and how a ledger is kept (`ClientOptions.ledger`, `openLedger`). */
export interface LedgerOptions {
  /** The ledger's directory, created if missing. One writer at a time (a second is refused). */
  dir: string;
  /**
   * The Ed25519 private key that signs checkpoints, as PKCS#8 PEM (`auditwire ledger keygen` writes one). It is
   * never logged, never put in an error and never written to the ledger.
   */
  signingKey: string;
  /**
   * The log's name: the first line of every checkpoint and the name of the signing key, so it must be the
   * `--origin` given to `auditwire ledger keygen` (a verifier matches signatures by key name). No spaces, no '+'.
   * @default 'auditwire'
   */
  origin?: string;
  /** How often a checkpoint is signed while records arrive (one is always written by `close()`). @default 60_000 */
  checkpointIntervalMs?: number;
}

export interface ResolvedLedgerOptions {
  /** Absolute. */
  readonly dir: string;
  readonly signer: NoteSigner;
  readonly origin: string;
  readonly checkpointIntervalMs: number;
}

export const DEFAULT_ORIGIN = 'auditwire';
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000;
/** setInterval's ceiling; a longer interval would fire at once. */
const MAX_INTERVAL_MS = 2 ** 31 - 1;

/**
 * Checks ledger options, pushing each problem onto `issues` under `path` (e.g. `options.ledger`); returns the
 * resolved options when there is none. The signing key's problems are described without quoting it.
 */
export function resolveLedgerOptions(options: LedgerOptions, path: string, issues: ValidationIssue[]): ResolvedLedgerOptions | undefined {
  const before = issues.length;
  const { dir, signingKey, origin = DEFAULT_ORIGIN, checkpointIntervalMs = DEFAULT_CHECKPOINT_INTERVAL_MS } = options as Partial<Record<keyof LedgerOptions, unknown>> & { origin?: unknown; checkpointIntervalMs?: unknown };
  if (typeof dir !== 'string' || dir.trim() === '') issues.push({ path: `${path}.dir`, message: 'must be a non-empty path' });
  if (typeof origin !== 'string' || !isKeyName(origin)) issues.push({ path: `${path}.origin`, message: 'must be a non-empty name without spaces or "+"' });
  if (typeof checkpointIntervalMs !== 'number' || !Number.isInteger(checkpointIntervalMs) || checkpointIntervalMs < 1 || checkpointIntervalMs > MAX_INTERVAL_MS) {
    issues.push({ path: `${path}.checkpointIntervalMs`, message: `must be an integer from 1 to ${MAX_INTERVAL_MS}` });
  }
  let signer: NoteSigner | undefined;
  if (typeof signingKey !== 'string' || signingKey.trim() === '') {
    issues.push({ path: `${path}.signingKey`, message: 'must be an Ed25519 private key in PKCS#8 PEM (auditwire ledger keygen)' });
  } else if (typeof origin === 'string') {
    try {
      signer = loadSigner(signingKey, origin);
    } catch (error) {
      issues.push({ path: `${path}.signingKey`, message: `${(error as Error).message} (expected an Ed25519 PKCS#8 PEM key from auditwire ledger keygen)` });
    }
  }
  if (issues.length > before || signer === undefined) return undefined;
  return { dir: resolvePath(dir as string), signer, origin: origin as string, checkpointIntervalMs: checkpointIntervalMs as number };
}
