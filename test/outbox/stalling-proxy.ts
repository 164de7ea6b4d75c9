import { connect, createServer, type Socket } from 'node:net';

/** A loopback TCP proxy to PostgreSQL that can make the connections open now go silent without closing them. */
export interface StallingProxy {
  /** `databaseUrl` with the proxy's port. */
  readonly url: string;
  /** Stops forwarding on every connection open now, in both directions; their sockets stay open. New ones work. */
  stall(): void;
  close(): Promise<void>;
}

export async function startStallingProxy(databaseUrl: string): Promise<StallingProxy> {
  const target = new URL(databaseUrl);
  const open = new Set<[Socket, Socket]>();
  const server = createServer((downstream) => {
    const upstream = connect(Number(target.port), target.hostname);
    const pair: [Socket, Socket] = [downstream, upstream];
    open.add(pair);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
    const drop = (): void => {
      open.delete(pair);
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on('close', drop).on('error', drop);
    upstream.on('close', drop).on('error', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = new URL(databaseUrl);
  url.port = String(typeof address === 'object' && address !== null ? address.port : 0);
  return {
    url: url.toString(),
    stall() {
      for (const [downstream, upstream] of open) {
        downstream.unpipe(upstream);
        upstream.unpipe(downstream);
        downstream.pause();
        upstream.pause();
      }
      // Still in `open`: close() destroys them.
    },
    close: () =>
      new Promise((resolve) => {
        for (const [downstream, upstream] of open) {
          downstream.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
