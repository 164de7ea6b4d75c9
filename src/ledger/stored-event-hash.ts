import { hashEvent } from '../hash/event-hash.js';
import { retracedHash } from '../hash/retraced-hash.js';

/** One event as a vendor (or the reference server's export) stored it, reduced to what reconciling needs. */
export interface StoredEventHash {
  readonly id: string;
  /** The hash of the stored content, recomputed here: never the hash the export claims. */
  readonly hash: string | undefined;
  /** Why the hash could not be recomputed. */
  readonly unreadable?: string;
}

/**
 * Reads one exported event in the reference server's export shape (`GET /_auditwire/export`:
 * `{ format, serverId, eventId, body, ... }`) and hashes its stored `body` as auditwire hashed it before
 * sending: the Retraced formula under the server's id for Retraced (shared/reference/wire/README.md "Retraced
 * hash formula"), the auditwire hash (SHA-256 of the RFC 8785 canonical JSON) for the other formats.
 */
export function storedEventHash(value: unknown): StoredEventHash | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not an object';
  const { format, serverId, eventId, body } = value as Record<string, unknown>;
  if (typeof eventId !== 'string' || eventId === '') return 'has no "eventId" string';
  if (typeof format !== 'string') return 'has no "format" string';
  if (body === undefined) return 'has no "body"';
  try {
    if (format === 'retraced') {
      if (typeof serverId !== 'string' || typeof body !== 'object' || body === null) return 'a retraced event needs "serverId" and an object "body"';
      return { id: eventId, hash: retracedHash(body, serverId) };
    }
    return { id: eventId, hash: hashEvent(body) };
  } catch (error) {
    return { id: eventId, hash: undefined, unreadable: error instanceof Error ? error.message : String(error) };
  }
}
