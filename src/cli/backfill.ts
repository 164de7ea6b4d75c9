import type { AuditsClient } from '../client/audits-client.js';
import type { AuditReceipt } from '../delivery/receipt.js';
import { AuditsError, DeliveryError, HashMismatchError, ValidationError } from '../errors.js';
import type { InputEvent } from './event-stream.js';
import type { AuditInput } from '../client/audit-input.js';
import type { FailureRecord } from './failure-log.js';

/**
 * Events read ahead of their outcome at most. `whenQueueFull: 'wait'` alone does not bound memory: `sendAudit`
 * returns at once and the waiting events would pile up outside the queue. This window keeps reading at the pace
 * the server takes events, below the client's queue bounds, so the queue never has to wait in practice.
 */
const WINDOW_EVENTS = 2_000;
const WINDOW_BYTES = 4 * 1024 * 1024;
/** After Ctrl-C, how long events already handed to the client may take before they fail as unsent. */
const INTERRUPT_GRACE_MS = 3_000;

export interface BackfillCounts {
  read: number;
  sent: number;
  verified: number;
  failed: number;
  /** Events read without a `time` of their own (the client stamps them with the time they are sent). */
  untimed: number;
  readingDone: boolean;
}

export interface BackfillResult extends BackfillCounts {
  readonly interrupted: boolean;
  /** Where reading stopped on an interrupt (`line 812`). */
  readonly lastWhere: string | undefined;
  /** The 0-based index of the last event read: the events after it were not read (on an interrupt, or an input error). */
  readonly lastIndex: number | undefined;
  /** The input broke off (a malformed JSON array): what was read before was still sent. */
  readonly inputError: unknown;
}

interface BackfillHooks {
  readonly signal?: AbortSignal | undefined;
  /** @default INTERRUPT_GRACE_MS */
  readonly interruptGraceMs?: number | undefined;
  /** Unblocks a pending read (destroys the input stream) when interrupted. */
  readonly stopReading: () => void;
  readonly onFailure: (failure: FailureRecord) => void;
  readonly onProgress?: ((counts: Readonly<BackfillCounts>) => void) | undefined;
  /** Masks secrets in error messages. */
  readonly mask: (text: string) => string;
  /** Fail events without a `time` instead of sending them stamped with the send time. */
  readonly requireTime?: boolean | undefined;
}

/**
 * Where an event says when it happened: `time` in the common model (and AuditLog.co's and Frontegg's native shapes),
 * `created` in Retraced's native event (shared/reference/wire/README.md section 2).
 */
const TIME_MEMBERS = ['time', 'created'] as const;

function hasNoTime(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return TIME_MEMBERS.every((name) => (value as Record<string, unknown>)[name] === undefined);
}

const MISSING_TIME = new ValidationError([
  { path: '$.time', message: 'missing, and --require-time refuses to stamp the event with the time it is sent: give it the time it happened (ISO-8601, e.g. 2024-05-01T12:00:00Z)' },
]);

/**
 * Sends every event of `events` through `client`, each with its own outcome: an event that cannot be read, is
 * invalid (`ValidationError` from `sendAudit`) or is not delivered fails alone and goes to `onFailure`; the rest
 * keep going. Returns once every event read has an outcome and the client is closed.
 */
export async function backfill(client: AuditsClient, events: AsyncIterable<InputEvent>, hooks: BackfillHooks): Promise<BackfillResult> {
  const counts: BackfillCounts = { read: 0, sent: 0, verified: 0, failed: 0, untimed: 0, readingDone: false };
  let open = 0;
  let openBytes = 0;
  let lastWhere: string | undefined;
  let lastIndex: number | undefined;
  let wake: (() => void) | undefined;
  const changed = (): void => {
    hooks.onProgress?.(counts);
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  const nextChange = (): Promise<void> => new Promise<void>((resolve) => (wake = resolve));
  const interrupted = (): boolean => hooks.signal?.aborted === true;
  const onAbort = (): void => {
    hooks.stopReading();
    changed();
  };
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  if (interrupted()) hooks.stopReading();

  const fail = (item: InputEvent, error: unknown): void => {
    counts.failed++;
    hooks.onFailure(failureRecord(item, error, hooks.mask));
  };

  const submit = (item: InputEvent): void => {
    counts.read++;
    lastWhere = item.where;
    lastIndex = item.index;
    if (!item.ok) return fail(item, item.error);
    if (hasNoTime(item.value)) {
      counts.untimed++;
      if (hooks.requireTime === true) return fail(item, MISSING_TIME);
    }
    let promise: Promise<AuditReceipt>;
    try {
      // Parsed JSON of any shape: the client validates it at run time, which is what the failures file reports.
      promise = client.sendAudit(item.value as AuditInput);
    } catch (error) {
      // sendAudit rejects rather than throws, but an invalid event must cost only itself whichever it does.
      return fail(item, error);
    }
    open++;
    openBytes += item.text.length;
    void promise
      .then(
        (receipt) => {
          counts.sent++;
          if (receipt.verified) counts.verified++;
        },
        (error: unknown) => fail(item, error),
      )
      .finally(() => {
        open--;
        openBytes -= item.text.length;
        changed();
      });
  };

  let inputError: unknown;
  try {
    for await (const item of events) {
      submit(item);
      changed();
      while (!interrupted() && (open >= WINDOW_EVENTS || openBytes >= WINDOW_BYTES)) await nextChange();
      if (interrupted()) break;
    }
    counts.readingDone = !interrupted();
  } catch (error) {
    // Once interrupted, the read fails because the input was destroyed on purpose: that is not an input error.
    if (!interrupted()) inputError = error;
  }
  changed();

  if (!interrupted()) {
    // flush() has no timeout of its own: every batch already has the client's delivery deadline.
    let flushed = false;
    void client.flush().then(() => {
      flushed = true;
      changed();
    });
    while (!interrupted() && !flushed) await nextChange();
  }
  // After an interrupt, close() fails what is still queued (TimeoutError) once the grace period is over.
  await client.close(interrupted() ? { timeoutMs: hooks.interruptGraceMs ?? INTERRUPT_GRACE_MS } : {});
  // close() settles every event; their handlers run just after.
  while (open > 0) await nextChange();
  hooks.signal?.removeEventListener('abort', onAbort);
  return { ...counts, interrupted: interrupted(), lastWhere, lastIndex, inputError };
}

function failureRecord(item: InputEvent, error: unknown, mask: (text: string) => string): FailureRecord {
  const known = error instanceof AuditsError;
  return {
    index: item.index,
    where: item.where,
    id: eventId(item, error),
    code: known ? error.code : 'DELIVERY',
    message: mask(error instanceof Error ? error.message : String(error)),
    status: error instanceof DeliveryError ? error.status : undefined,
    text: item.text,
  };
}

/** The event's own id (`id`, or a native `uuid`), or the one the client reported; null when it never had one. */
function eventId(item: InputEvent, error: unknown): string | null {
  if (error instanceof HashMismatchError) return error.eventId;
  if (!item.ok || typeof item.value !== 'object' || item.value === null) return null;
  const record = item.value as { id?: unknown; uuid?: unknown };
  if (typeof record.id === 'string') return record.id;
  if (typeof record.uuid === 'string') return record.uuid;
  return null;
}
