import { JsonlFile } from './jsonl-file.js';
import type { EventFormat, StoredEvent } from './types.js';

export interface NewEvent {
  readonly serverId: string;
  /** The event's own id, or `serverId` when it carries none (such an event is never a duplicate). */
  readonly eventId: string;
  readonly body: unknown;
  readonly hash: string;
}

export interface AddResult {
  /** One record per item, in order: the new record, or for a duplicate the record stored first. */
  readonly events: readonly StoredEvent[];
  /** Records created by this call (duplicates excluded). */
  readonly stored: number;
  /** Items that repeated an id already stored (only with `deduplicate`). */
  readonly duplicates: number;
  /** Settles once every record answered for (duplicates' originals included) is in the file. */
  readonly persisted: Promise<void>;
}

export interface EventStoreOptions {
  /** Append every stored event to this JSONL file. */
  readonly file?: string | undefined;
  /** A repeated event id (per format) is answered with the stored record and not stored again. */
  readonly deduplicate?: boolean | undefined;
}

interface Indexed {
  readonly event: StoredEvent;
  readonly persisted: Promise<void>;
}

const PERSISTED = Promise.resolve();

/** One page of the stored events; `nextCursor` is null on the last page. */
export interface EventPage {
  readonly events: readonly StoredEvent[];
  readonly nextCursor: string | null;
  /** Events stored now (since the last clear). */
  readonly total: number;
}

/** What the server received, in order, mirrored to a JSONL file when one is configured. */
export class EventStore {
  readonly events: StoredEvent[] = [];
  /** Events forgotten by `clear()`: a cursor counts from the first event ever stored, so it survives a clear. */
  #cleared = 0;
  readonly #file: JsonlFile | undefined;
  /** `format \n eventId` -> the first record with that id; only kept when deduplicating. */
  readonly #byId: Map<string, Indexed> | undefined;

  private constructor(file: JsonlFile | undefined, deduplicate: boolean) {
    this.#file = file;
    this.#byId = deduplicate ? new Map() : undefined;
  }

  static async open(options: EventStoreOptions = {}): Promise<EventStore> {
    return new EventStore(options.file === undefined ? undefined : await JsonlFile.open(options.file), options.deduplicate === true);
  }

  /**
   * Stores synchronously (so the in-memory order is the arrival order, and a repeated id in the same or a
   * concurrent request finds the first) and returns the records with a promise that settles once their lines are
   * in the file. Routes answer only after it, so an acknowledged event is on disk.
   */
  add(format: EventFormat, items: readonly NewEvent[]): AddResult {
    const receivedAt = new Date().toISOString();
    const events: StoredEvent[] = [];
    const waits: Array<Promise<void>> = [];
    let duplicates = 0;
    for (const item of items) {
      // Only an id the event brought can repeat; a server-assigned one is fresh by construction.
      const key = this.#byId !== undefined && item.eventId !== item.serverId ? `${format}\n${item.eventId}` : undefined;
      const first = key === undefined ? undefined : this.#byId?.get(key);
      if (first !== undefined) {
        duplicates++;
        events.push(first.event);
        if (first.persisted !== PERSISTED) waits.push(first.persisted);
        continue;
      }
      const event: StoredEvent = { format, serverId: item.serverId, eventId: item.eventId, body: item.body, hash: item.hash, receivedAt };
      this.events.push(event);
      events.push(event);
      const persisted = this.#persist(event);
      if (persisted !== PERSISTED) waits.push(persisted);
      if (key !== undefined) this.#byId?.set(key, { event, persisted });
    }
    const persisted = waits.length === 0 ? PERSISTED : Promise.all(waits).then(() => undefined);
    return { events, stored: events.length - duplicates, duplicates, persisted };
  }

  /**
   * Up to `limit` events from `cursor` (the count of events stored before it, as text; absent: the first). A cursor
   * from before a clear continues at the oldest event kept.
   */
  page(cursor: number, limit: number): EventPage {
    const start = Math.max(0, cursor - this.#cleared);
    const events = this.events.slice(start, start + limit);
    const end = start + events.length;
    return { events, nextCursor: end < this.events.length ? String(end + this.#cleared) : null, total: this.events.length };
  }

  /** Forgets every stored event (and, when deduplicating, their ids); the JSONL file keeps its lines. Returns how many. */
  clear(): number {
    const count = this.events.length;
    this.#cleared += count;
    // Emptied in place: `ReferenceServer.events` is this same array.
    this.events.length = 0;
    this.#byId?.clear();
    return count;
  }

  close(): Promise<void> {
    return this.#file?.close() ?? Promise.resolve();
  }

  #persist(event: StoredEvent): Promise<void> {
    const file = this.#file;
    if (file === undefined) return PERSISTED;
    const persisted = file.append({ format: event.format, serverId: event.serverId, eventId: event.eventId, hash: event.hash, receivedAt: event.receivedAt, body: event.body });
    // Reported to the request that waits on it; a duplicate's wait must not leave a second, unhandled copy.
    persisted.catch(() => undefined);
    return persisted;
  }
}
