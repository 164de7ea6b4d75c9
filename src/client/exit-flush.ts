/**
 * A safety net for processes that never call close(): when the event loop runs dry ('beforeExit') while a client
 * still holds unsettled events, the client flushes them (which keeps the process alive until they settle) instead
 * of letting them vanish. One process listener serves every client; clients are held weakly.
 */
/** The method a client implements under this symbol (kept off its public, string-keyed surface). */
export const FLUSH_BEFORE_EXIT: unique symbol = Symbol('auditwire.flushBeforeExit');

export interface FlushOnExit {
  [FLUSH_BEFORE_EXIT](): void;
}

const clients = new Set<WeakRef<FlushOnExit>>();
let installed = false;

export function flushBeforeExit(client: FlushOnExit): () => void {
  const ref = new WeakRef(client);
  clients.add(ref);
  if (!installed) {
    installed = true;
    process.on('beforeExit', () => {
      for (const entry of clients) {
        const live = entry.deref();
        if (live === undefined) clients.delete(entry);
        else live[FLUSH_BEFORE_EXIT]();
      }
    });
  }
  return () => void clients.delete(ref);
}
