/**
 * One LISTEN through whichever driver the user gave, made once: notify-listener.ts decides when to make another.
 * Each driver says what it can about losing the connection; what it cannot say (postgres.js says nothing, and no
 * driver notices a connection that silently stopped answering) the listener's probe finds out.
 */
export interface Subscription {
  /** Resolves with the reason once the driver reports the connection gone; may never resolve. */
  readonly lost: Promise<Error>;
  /**
   * Stops listening and gives the connection back: after UNLISTEN when all is well, or, given the reason it is
   * thought lost, at once and as broken (no statement on a connection that may never answer). Never rejects.
   */
  close(lost?: Error): Promise<void>;
}

/** Calls for each notification on the channel, and when the driver re-listened by itself after a reconnect. */
export interface SubscriptionHandlers {
  readonly notified: (payload: string) => void;
  readonly relistened: () => void;
}

/** Makes one subscription; rejects when it cannot (the database is away). */
export type Subscribe = (handlers: SubscriptionHandlers) => Promise<Subscription>;

interface PostgresJsListen {
  listen(channel: string, onNotify: (payload: string) => void, onListen?: () => void): PromiseLike<{ unlisten(): PromiseLike<unknown> }>;
}

interface PgNotifyingClient {
  query(text: string): PromiseLike<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

type PgPooledClient = PgNotifyingClient & { release(error?: Error | boolean): void };

interface PgPoolLike {
  connect(): PromiseLike<PgPooledClient>;
  readonly totalCount: number;
}

/** How to LISTEN with `db`; undefined for a plain executor (polling only). */
export function subscriberFor(db: unknown, channel: string): Subscribe | undefined {
  if (db === null || (typeof db !== 'object' && typeof db !== 'function')) return undefined;
  const candidate = db as Partial<PostgresJsListen & PgPoolLike & PgNotifyingClient> & { unsafe?: unknown };
  if (typeof candidate.listen === 'function' && typeof candidate.unsafe === 'function') return postgresJs(db as PostgresJsListen, channel);
  if (typeof candidate.connect === 'function' && typeof candidate.totalCount === 'number') return pgPool(db as PgPoolLike, channel);
  if (typeof candidate.on === 'function' && typeof candidate.off === 'function' && typeof candidate.query === 'function') {
    return pgClient(db as PgNotifyingClient, channel);
  }
  return undefined;
}

/**
 * postgres.js keeps a listen connection of its own and re-LISTENs after it closes, but it reports neither the
 * loss nor a re-LISTEN that failed or never ran (node_modules/postgres/src/index.js, `Listen`): the probe is the
 * only way to know. `onlisten` runs once when listening starts and again after each re-LISTEN of its own.
 */
function postgresJs(sql: PostgresJsListen, channel: string): Subscribe {
  return async ({ notified, relistened }) => {
    let started = false;
    const handle = await sql.listen(channel, (payload) => notified(payload ?? ''), () => {
      if (started) relistened();
      started = true;
    });
    started = true;
    return {
      lost: new Promise<Error>(() => {}),
      // postgres.js owns the connection: unlisten() sends UNLISTEN only while it is open.
      close: async () => void (await Promise.resolve(handle.unlisten()).then(undefined, () => {})),
    };
  };
}

/** A pool: one client of its own, checked out while listening; a broken one is released as broken (destroyed). */
function pgPool(pool: PgPoolLike, channel: string): Subscribe {
  return async (handlers) => {
    const client = await pool.connect();
    const watch = watchPgClient(client, channel, handlers, true);
    try {
      await client.query(`LISTEN "${channel}"`);
    } catch (error) {
      watch.detach();
      client.release(error instanceof Error ? error : true);
      throw error;
    }
    return {
      lost: watch.lost,
      close: async (lost) => {
        const broken = lost ?? watch.broken() ?? (await unlisten(client, channel));
        // A broken client is destroyed by the pool instead of being handed to someone else.
        client.release(broken ?? undefined);
        watch.detach();
      },
    };
  };
}

/**
 * A single client the user owns: LISTEN on it. It is theirs to reconnect (a node-postgres Client cannot connect
 * twice), so a lost one is only listened on again once it answers; its 'error' events are left to the user.
 */
function pgClient(client: PgNotifyingClient, channel: string): Subscribe {
  return async (handlers) => {
    const watch = watchPgClient(client, channel, handlers, false);
    try {
      await client.query(`LISTEN "${channel}"`);
    } catch (error) {
      watch.detach();
      throw error;
    }
    return {
      lost: watch.lost,
      close: async (lost) => {
        if ((lost ?? watch.broken()) === undefined) await unlisten(client, channel);
        watch.detach();
      },
    };
  };
}

function watchPgClient(client: PgNotifyingClient, channel: string, handlers: SubscriptionHandlers, handleErrors: boolean) {
  let broken: Error | undefined;
  let markLost: (error: Error) => void = () => {};
  const lost = new Promise<Error>((resolve) => (markLost = resolve));
  const onNotification = (message: { channel: string; payload?: string }): void => {
    if (message.channel === channel) handlers.notified(message.payload ?? '');
  };
  const onError = (error: Error): void => {
    broken ??= error;
    markLost(broken);
  };
  const onEnd = (): void => onError(new Error('the LISTEN connection ended'));
  client.on('notification', onNotification);
  client.on('end', onEnd);
  // A checked-out pool client has no other 'error' listener: without one, a server restart would crash the host.
  if (handleErrors) client.on('error', onError);
  return {
    lost,
    broken: () => broken,
    detach: (): void => {
      client.off('notification', onNotification);
      client.off('end', onEnd);
      if (handleErrors) client.off('error', onError);
    },
  };
}

/** UNLISTEN; the error when the connection no longer answers. */
async function unlisten(client: PgNotifyingClient, channel: string): Promise<Error | undefined> {
  try {
    await client.query(`UNLISTEN "${channel}"`);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
