import { JsonlFile } from './jsonl-file.js';
import type { EventFormat, StoredEvent } from './types.js';

export interface NewEvent {
  readonly serverId: string;
  readonly eventId: string;
  readonly body: unknown;
  readonly hash: string;
}

/** What the server received, in order, mirrored to a JSONL file when one is configured. */
export class EventStore {
  readonly events: StoredEvent[] = [];
  readonly #file: JsonlFile | undefined;

  private constructor(file: JsonlFile | undefined) {
    this.#file = file;
  }

  static async open(path: string | undefined): Promise<EventStore> {
    return new EventStore(path === undefined ? undefined : await JsonlFile.open(path));
  }

  /**
   * Stores synchronously (so the in-memory order is the arrival order) and returns the records with a promise
   * that settles once their lines are in the file. Routes answer only after it, so an acknowledged event is on disk.
   */
  add(format: EventFormat, items: readonly NewEvent[]): { readonly events: readonly StoredEvent[]; readonly persisted: Promise<void> } {
    const receivedAt = new Date().toISOString();
    const events = items.map((item): StoredEvent => ({ format, serverId: item.serverId, eventId: item.eventId, body: item.body, hash: item.hash, receivedAt }));
    this.events.push(...events);
    const file = this.#file;
    if (file === undefined) return { events, persisted: Promise.resolve() };
    const persisted = Promise.all(
      events.map((event) =>
        file.append({ format: event.format, serverId: event.serverId, eventId: event.eventId, hash: event.hash, receivedAt: event.receivedAt, body: event.body }),
      ),
    ).then(() => undefined);
    return { events, persisted };
  }

  close(): Promise<void> {
    return this.#file?.close() ?? Promise.resolve();
  }
}
