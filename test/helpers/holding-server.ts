import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP server that reads every request and never answers it, until `close()`. */
export interface HoldingServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The paths of the requests received so far, in order. */
  readonly paths: string[];
  /** Resolves once `count` requests have arrived. */
  received(count: number): Promise<void>;
  /** Drops every held connection and stops listening. */
  close(): Promise<void>;
}

export async function holdingServer(): Promise<HoldingServer> {
  const paths: string[] = [];
  const held: ServerResponse[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    paths.push(request.url ?? '');
    held.push(response);
    for (const waiter of waiters.filter((entry) => paths.length >= entry.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    received: (count) =>
      paths.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    close: async () => {
      for (const response of held) response.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
