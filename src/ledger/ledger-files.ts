import { join } from 'node:path';

/**
 * A ledger directory:
 * - `records.log`: one record a line, in append order (the leaves);
 * - `checkpoints.log`: every signed checkpoint, one a line as a JSON string (a note spans several lines);
 * - `checkpoint`: the latest signed checkpoint as plain note text, for tools that want just that;
 * - `LOCK`: held by the one writer.
 */
export function ledgerPaths(dir: string): { records: string; checkpoints: string; latest: string } {
  return { records: join(dir, 'records.log'), checkpoints: join(dir, 'checkpoints.log'), latest: join(dir, 'checkpoint') };
}
