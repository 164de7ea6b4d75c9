import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventStore } from './event-store.js';
import type { FaultGate } from './fault-gate.js';
import type { TokenStore } from './token-store.js';
import type { EventFormat, ReferenceServerOptions, ReferenceServerStats } from './types.js';

/** What every route shares: the store, the faults, Frontegg's tokens, the options and the counters. */
export interface ServerState {
  readonly options: ReferenceServerOptions;
  readonly store: EventStore;
  readonly faults: FaultGate;
  readonly tokens: TokenStore;
  readonly stats: ReferenceServerStats;
}

export interface RouteContext {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  /** The request body as UTF-8 text (already read, within `maxBodyBytes`). */
  readonly body: string;
  /** The capture groups of the route's path pattern. */
  readonly params: readonly string[];
  readonly state: ServerState;
  /** Filled in by the route for `onRequest`. */
  readonly report: { events: number; listed?: number; cleared?: number };
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Matched against the path without query and trailing slashes; case-insensitive like the vendors' routers. */
  readonly path: RegExp;
  /**
   * The format of the events the route accepts (reported to `onRequest`); only on event-accepting routes, which
   * are the ones faults apply to (not `/auth/vendor`, not the GET routes).
   */
  readonly format?: EventFormat;
  handle(context: RouteContext): void | Promise<void>;
}
