import type { AuditReceipt } from '../delivery/receipt.js';
import { DeliveryError, type AuditsError } from '../errors.js';
import { openResolvedLedger, type Ledger } from '../ledger/ledger.js';
import type { LedgerRecord } from '../ledger/ledger-record.js';
import type { ResolvedLedgerOptions } from '../ledger/ledger-options.js';

interface Acknowledged {
  readonly receipt: AuditReceipt;
  readonly wire: string;
  readonly ackedAt: string;
}

/**
 * The client's side of the ledger: takes each acknowledged event (a receipt and its wire text) and appends its
 * record. `record` only pushes onto an array; building records (reading the event time out of the wire) and
 * writing happen in one batch per turn of the event loop, so neither `sendAudit` nor the delivery path waits on
 * the disk. The ledger opens in the background; events acknowledged before it is open wait in the same array.
 */
export class LedgerStage {
  readonly #opening: Promise<Ledger | undefined>;
  readonly #report: (error: AuditsError) => void;
  #ledger: Ledger | undefined;
  #waiting: Acknowledged[] = [];
  #scheduled = false;
  #lost = 0;

  constructor(options: ResolvedLedgerOptions, report: (error: AuditsError) => void) {
    this.#report = report;
    this.#opening = openResolvedLedger(options, { failed: (error) => report(new DeliveryError(error.message, { cause: error })) }).then(
      (ledger) => {
        this.#ledger = ledger;
        this.#drain();
        return ledger;
      },
      (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        report(new DeliveryError(`ledger: cannot open ${options.dir} (${reason}); acknowledged events are not recorded in it`, { cause: error }));
        return undefined;
      },
    );
  }

  record(receipt: AuditReceipt, wire: string): void {
    this.#waiting.push({ receipt, wire, ackedAt: new Date().toISOString() });
    if (!this.#scheduled && this.#ledger !== undefined) {
      this.#scheduled = true;
      setImmediate(() => this.#drain());
    }
  }

  /** Resolves once every event recorded so far is on stable storage (or reported as not recorded). Never rejects. */
  async flush(): Promise<void> {
    const ledger = await this.#opening;
    this.#drain();
    await ledger?.flush().catch(() => undefined);
  }

  /** Writes what waits, signs the final checkpoint and releases the directory. Never rejects (failures are reported). */
  async close(): Promise<void> {
    const ledger = await this.#opening;
    this.#drain();
    if (ledger === undefined) {
      if (this.#lost > 0) this.#report(new DeliveryError(`ledger: ${this.#lost} acknowledged event(s) were not recorded`));
      return;
    }
    try {
      await ledger.close();
    } catch (error) {
      this.#report(new DeliveryError(`ledger: closing failed (${error instanceof Error ? error.message : String(error)})`, { cause: error }));
    }
    const lost = ledger.stats().lost;
    if (lost > 0) this.#report(new DeliveryError(`ledger: ${lost} acknowledged event(s) were not recorded after a write failure`));
  }

  #drain(): void {
    this.#scheduled = false;
    const batch = this.#waiting;
    this.#waiting = [];
    if (this.#ledger === undefined) {
      // Only reached once opening failed (reported): what arrives is counted so close() can say how much is missing.
      this.#lost += batch.length;
      return;
    }
    for (const item of batch) {
      try {
        this.#ledger.append(toRecord(item));
      } catch (error) {
        // A custom adapter's receipt that makes no valid record (a hash that is not SHA-256 hex): said, never thrown.
        this.#report(new DeliveryError(`ledger: event ${item.receipt.id} was not recorded (${error instanceof Error ? error.message : String(error)})`, { cause: error }));
      }
    }
  }
}

function toRecord({ receipt, wire, ackedAt }: Acknowledged): LedgerRecord {
  return {
    id: receipt.id,
    hash: receipt.hash,
    ...(receipt.serverId === undefined ? {} : { serverId: receipt.serverId }),
    ...(receipt.serverHash === undefined ? {} : { serverHash: receipt.serverHash }),
    verified: receipt.verified,
    adapter: receipt.adapter,
    time: eventTime(wire) ?? ackedAt,
    ackedAt,
  };
}

/**
 * The event's own time from its wire form: `time` (AuditLog.co, Frontegg as auditwire maps it), `created`
 * (Retraced), or `time` inside LogZab's `desc` JSON (spec/EVENT.md section 7). A custom adapter's wire without
 * any of them gets the acknowledgement time.
 */
function eventTime(wire: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(wire);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { time, created, desc } = value as Record<string, unknown>;
  if (typeof time === 'string') return time;
  if (typeof created === 'string') return created;
  if (typeof desc === 'string' && desc.startsWith('{')) {
    try {
      const inner = JSON.parse(desc) as Record<string, unknown>;
      if (typeof inner.time === 'string') return inner.time;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
