import { ValidationError, type ValidationIssue } from '../errors.js';
import type { BatchResult, EventResult, PreparedEvent } from './adapter.js';

/**
 * The result of a 400 that names the events it refused by their index in the batch (AuditLog.co `details`
 * keys, Retraced `invalid[].index`): the named events fail with the vendor's reasons, every other event is sent
 * again, so one invalid event never costs its neighbours. Indices outside the batch (a confused or hostile reply)
 * are ignored; undefined when no index names an event of the batch.
 */
export function refusedByIndex(batch: readonly PreparedEvent[], issuesByIndex: ReadonlyMap<number, ValidationIssue[]>): BatchResult | undefined {
  if (![...issuesByIndex.keys()].some((index) => index >= 0 && index < batch.length)) return undefined;
  const outcomes = new Map<number, EventResult>();
  const resend: number[] = [];
  batch.forEach((_event, index) => {
    const issues = issuesByIndex.get(index);
    if (issues) outcomes.set(index, { ok: false, error: new ValidationError(issues) });
    else resend.push(index);
  });
  return { kind: 'per-event', outcomes, resend };
}
