import { sendJson } from '../http-io.js';
import type { Route } from '../route.js';

// Development endpoint: lets a user running `auditwire dev` inspect, from another process, what arrived.
// Not a vendor route, so no auth and no faults.

export const devRoutes: readonly Route[] = [
  { method: 'GET', path: /^\/_auditwire\/events$/i, handle: (context) => sendJson(context.response, 200, { events: context.state.store.events }) },
];
