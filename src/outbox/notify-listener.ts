/**
 * Wakes idle relays when `record()` commits: a LISTEN on the table's channel, on a connection of its own, through
 * whichever driver the user gave. Polling stays the fallback (and covers notifications lost while reconnecting),
 * so a listener that cannot start or drops never loses a row, only latency.
 */
export interface NotifyListener {
  close(): Promise<void>;
}

export interface ListenHooks {
  /** A notification arrived, or the connection was (re)made and rows may have been missed meanwhile. */
  readonly wake: () => void;
  readonly failed: (error: unknown) => void;
}

interface PostgresJsListen {
  listen(channel: string, onNotify: () => void, onListen?: () => void): PromiseLike<{ unlisten(): PromiseLike<unknown> }>;
}

interface PgNotifyingClient {
  query(text: string): PromiseLike<unknown>;
  on(event: 'notification', listener: (message: { channel: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

interface PgPoolLike {
  connect(): PromiseLike<PgNotifyingClient & { release(error?: Error | boolean): void }>;
  readonly totalCount: number;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/** Starts listening where the driver can; undefined where it cannot (a plain executor: polling only). */
export function startListener(db: unknown, channel: string, hooks: ListenHooks): NotifyListener | undefined {
  if (db === null || (typeof db !== 'object' && typeof db !== 'function')) return undefined;
  const candidate = db as Partial<PostgresJsListen & PgPoolLike & PgNotifyingClient> & { unsafe?: unknown };
  if (typeof candidate.listen === 'function' && typeof candidate.unsafe === 'function') return listenPostgresJs(db as PostgresJsListen, channel, hooks);
  if (typeof candidate.connect === 'function' && typeof candidate.totalCount === 'number') return listenPgPool(db as PgPoolLike, channel, hooks);
  if (typeof candidate.on === 'function' && typeof candidate.off === 'function' && typeof candidate.query === 'function') {
    return listenPgClient(db as PgNotifyingClient, channel, hooks);
  }
  return undefined;
}

/** postgres.js keeps its own listen connection and re-LISTENs after a reconnect, calling onListen each time. */
function listenPostgresJs(sql: PostgresJsListen, channel: string, hooks: ListenHooks): NotifyListener {
  let closed = false;
  const subscription = Promise.resolve(sql.listen(channel, hooks.wake, hooks.wake)).then(
    (handle) => handle,
    (error: unknown) => {
      if (!closed) hooks.failed(error);
      return undefined;
    },
  );
  return {
    async close() {
      closed = true;
      const handle = await subscription;
      await Promise.resolve(handle?.unlisten()).catch(() => {});
    },
  };
}

/** A pool: one client of its own, checked out for as long as the relay runs, made again after it breaks. */
function listenPgPool(pool: PgPoolLike, channel: string, hooks: ListenHooks): NotifyListener {
  let closed = false;
  let client: (PgNotifyingClient & { release(error?: Error | boolean): void }) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  const onNotification = (message: { channel: string }): void => {
    if (message.channel === channel) hooks.wake();
  };
  const onError = (error: Error): void => {
    const broken = client;
    client = undefined;
    broken?.off('notification', onNotification);
    broken?.off('error', onError);
    // Released as broken: the pool destroys it instead of handing it to someone else.
    broken?.release(error);
    if (!closed) {
      hooks.failed(error);
      reconnectLater();
    }
  };
  const reconnectLater = (): void => {
    if (timer !== undefined) return;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(10, failures++));
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    timer.unref();
  };
  const connect = async (): Promise<void> => {
    if (closed) return;
    let fresh: (PgNotifyingClient & { release(error?: Error | boolean): void }) | undefined;
    try {
      fresh = await pool.connect();
      fresh.on('error', onError);
      client = fresh;
      fresh.on('notification', onNotification);
      await fresh.query(`LISTEN "${channel}"`);
      failures = 0;
      hooks.wake();
    } catch (error) {
      if (fresh !== undefined && client === fresh) onError(error instanceof Error ? error : new Error(String(error)));
      else if (!closed) {
        hooks.failed(error);
        reconnectLater();
      }
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const held = client;
      client = undefined;
      if (held === undefined) return;
      held.off('notification', onNotification);
      try {
        await held.query(`UNLISTEN "${channel}"`);
        held.off('error', onError);
        held.release();
      } catch (error) {
        held.off('error', onError);
        held.release(error instanceof Error ? error : true);
      }
    },
  };
}

/** A single client the user owns: LISTEN on it; it is theirs to reconnect. */
function listenPgClient(client: PgNotifyingClient, channel: string, hooks: ListenHooks): NotifyListener {
  const onNotification = (message: { channel: string }): void => {
    if (message.channel === channel) hooks.wake();
  };
  client.on('notification', onNotification);
  Promise.resolve(client.query(`LISTEN "${channel}"`)).then(undefined, hooks.failed);
  return {
    async close() {
      client.off('notification', onNotification);
      await Promise.resolve(client.query(`UNLISTEN "${channel}"`)).then(undefined, () => {});
    },
  };
}
