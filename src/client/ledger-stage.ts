import type { PreparedEvent } from '../adapters/adapter.js';
import type { AuditReceipt } from '../delivery/receipt.js';
import { DeliveryError, type AuditsError } from '../errors.js';
import { wireTextTime } from '../ledger/event-time.js';
import { openResolvedLedger, type Ledger } from '../ledger/ledger.js';
import type { LedgerRecord } from '../ledger/ledger-record.js';
import type { ResolvedLedgerOptions } from '../ledger/ledger-options.js';

interface Acknowledged {
  readonly receipt: AuditReceipt;
  readonly event: AcknowledgedEvent;
  readonly ackedAt: string;
}

/** What the stage reads of the prepared event: its wire text, and its time where prepare already knew it. */
export type AcknowledgedEvent = Pick<PreparedEvent, 'wire' | 'time'>;

/**
 * The client's side of the ledger: takes each acknowledged event (a receipt and its prepared event) and appends its
 * record. `record` only pushes onto an array; building records and handing them to the ledger happen in one batch
 * per turn of the event loop, and the ledger writes and fdatasyncs in the background, so neither `sendAudit` nor
 * the delivery path waits on the disk. The ledger opens in the background; events acknowledged before it is open
 * wait in the same array.
 */
export class LedgerStage {
  readonly #opening: Promise<Ledger | undefined>;
  readonly #report: (error: AuditsError) => void;
  #ledger: Ledger | undefined;
  #waiting: Acknowledged[] = [];
  #scheduled = false;
  #lost = 0;
  readonly #ackClock = new AckClock();

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

  record(receipt: AuditReceipt, event: AcknowledgedEvent): void {
    this.#waiting.push({ receipt, event, ackedAt: this.#ackClock.now() });
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

function toRecord({ receipt, event, ackedAt }: Acknowledged): LedgerRecord {
  return {
    id: receipt.id,
    hash: receipt.hash,
    serverId: receipt.serverId,
    serverHash: receipt.serverHash,
    verified: receipt.verified,
    adapter: receipt.adapter,
    time: event.time ?? wireTextTime(event.wire) ?? ackedAt,
    ackedAt,
  };
}

/**
 * `new Date().toISOString()` for the acknowledgement time, formatted once per millisecond: a batch's events are
 * all acknowledged in the same millisecond, and formatting a date costs more than everything else `record` does.
 */
class AckClock {
  #ms = Number.NaN;
  #iso = '';

  now(): string {
    const ms = Date.now();
    if (ms !== this.#ms) {
      this.#ms = ms;
      this.#iso = new Date(ms).toISOString();
    }
    return this.#iso;
  }
}
