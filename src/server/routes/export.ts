import { once } from 'node:events';
import type { Route } from '../route.js';
import { tampered } from '../tamper.js';

// `GET /_auditwire/export`: every stored event as one JSON line, in storage order, in the shape
// `auditwire ledger reconcile --export` reads ({ format, serverId, eventId, hash, receivedAt, body }). The
// `tamper` fault shows here. Like the other /_auditwire routes: not a vendor route, so no auth and no faults.

/** Lines per write: the answer streams with backpressure instead of being built whole. */
const LINES_PER_WRITE = 1_000;

export const exportRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/_auditwire\/export$/i,
    handle: async ({ response, state }) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
      const tamper = state.faults.tamper;
      // A snapshot of the length: events stored while the answer streams belong to the next export.
      const count = state.store.events.length;
      let lines: string[] = [];
      for (let index = 0; index < count; index++) {
        const event = tampered(state.store.events[index] as (typeof state.store.events)[number], tamper);
        if (event !== undefined) {
          const { format, serverId, eventId, hash, receivedAt, body } = event;
          lines.push(JSON.stringify({ format, serverId, eventId, hash, receivedAt, body }));
        }
        if (lines.length >= LINES_PER_WRITE || index === count - 1) {
          const text = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
          lines = [];
          if (!response.write(text)) await once(response, 'drain');
        }
      }
      response.end();
    },
  },
];
