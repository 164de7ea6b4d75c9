import type { TamperFault } from './tamper.js';

/**
 * Faults the reference server injects, each drawn per request (or per event, for wrong hashes) from `random`,
 * so a seeded generator makes a run reproducible.
 */
export interface FaultOptions {
  /** Answer with an error status instead of storing: e.g. `[{ status: 503, probability: 0.1 }, { status: 429, probability: 0.05, retryAfterSeconds: 1 }]`. */
  statuses?: ReadonlyArray<{ status: number; probability: number; retryAfterSeconds?: number }>;
  /** Destroy the connection before storing anything. */
  dropBeforeStoreProbability?: number;
  /** Store the batch, then destroy the connection before answering (the client cannot know it was stored). */
  dropAfterStoreProbability?: number;
  /** Per event: return a hash that is not the event's. */
  wrongHashProbability?: number;
  /** Delay every answer by this many milliseconds (to exercise client timeouts). */
  delayMs?: number;
  /**
   * Per request that gets as far as storing: store the events, then hold the answer back `slowMs` (a slow vendor
   * that did the work; with `slowMs` past the client's request timeout, the client gives up on a stored batch).
   * Drawn only when it is above 0, so the fault sequence of a seed without it is unchanged.
   */
  slowProbability?: number;
  /** How late a slow answer comes, in milliseconds. @default 1000 */
  slowMs?: number;
  /** Stored events changed or lost after their acknowledgement, as `GET /_auditwire/export` shows them. */
  tamper?: TamperFault;
}

export type RequestFault =
  | { readonly kind: 'none' }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds: number | undefined }
  | { readonly kind: 'drop-before-store' }
  | { readonly kind: 'drop-after-store' };

export function drawRequestFault(faults: FaultOptions, random: () => number): RequestFault {
  let roll = random();
  for (const { status, probability, retryAfterSeconds } of faults.statuses ?? []) {
    if (roll < probability) return { kind: 'status', status, retryAfterSeconds };
    roll -= probability;
  }
  if (roll < (faults.dropBeforeStoreProbability ?? 0)) return { kind: 'drop-before-store' };
  roll -= faults.dropBeforeStoreProbability ?? 0;
  if (roll < (faults.dropAfterStoreProbability ?? 0)) return { kind: 'drop-after-store' };
  return { kind: 'none' };
}

/** mulberry32: a small seeded generator, so fault sequences repeat run to run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
