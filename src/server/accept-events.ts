import type { NewEvent } from './event-store.js';
import type { FaultReply } from './fault-gate.js';
import type { RouteContext } from './route.js';
import type { EventFormat, StoredEvent } from './types.js';

export interface Acknowledged {
  readonly event: StoredEvent;
  /** The hash to answer with: the stored one, unless the wrong-hash fault replaced it. */
  readonly hash: string;
}

/**
 * The common tail of every event-accepting route, once auth and validation have passed: draw the fault, store
 * (with `deduplicate`, a repeated id is answered with the record stored first), persist, hold a slow answer back,
 * then either drop the connection or let the route answer in its vendor's shape.
 */
export async function acceptEvents(
  context: RouteContext,
  format: EventFormat,
  items: readonly NewEvent[],
  replies: { readonly fault: FaultReply; readonly success: (acknowledged: readonly Acknowledged[]) => void },
): Promise<void> {
  const { faults, store, stats } = context.state;
  const gate = faults.enter(context, replies.fault);
  if (gate === undefined) return;
  const { events, stored, duplicates, persisted } = store.add(format, items);
  context.report.events = stored;
  stats.duplicates += duplicates;
  // Drawn before awaiting the file, so the seeded sequence does not depend on disk timing.
  const hashes = gate.dropAfterStore ? [] : faults.answerHashes(context, events);
  await persisted;
  await faults.hold(gate.slowMs);
  if (gate.dropAfterStore) return faults.dropAfterStore(context);
  // The client gave up waiting (a slow answer past its timeout): nothing is left to answer.
  if (context.response.destroyed || context.request.socket.destroyed) return;
  context.response.once('finish', () => (stats.lastAnswerAt = Date.now()));
  replies.success(events.map((event, index) => ({ event, hash: hashes[index] ?? event.hash })));
}
