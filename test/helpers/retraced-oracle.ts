import { computeHash, type Event as RetracedEvent } from '@retracedhq/retraced';

/** What the vendor's reference `computeHash` makes of an event: the hash and its target, or the error it threw. */
export type OracleOutcome =
  | { readonly ok: true; readonly hash: string; readonly hashTarget: string }
  | { readonly ok: false; readonly error: unknown };

/** Runs the oracle (`@retracedhq/retraced` computeHash) on any value, capturing a throw instead of propagating it. */
export function retracedOracle(event: unknown, id: string): OracleOutcome {
  try {
    const { hashResult, hashTarget } = computeHash(event as RetracedEvent, id);
    return { ok: true, hash: hashResult, hashTarget };
  } catch (error) {
    return { ok: false, error };
  }
}
