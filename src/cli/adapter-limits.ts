import { createAdapter } from '../adapters/create-adapter.js';
import { resolveOptions } from '../client/resolve-options.js';
import type { ClientOptions } from '../options.js';

/**
 * The most events the adapter the options name puts in one request, read from the adapter itself (its vendor's
 * limit), so `send` can say when `--batch-size` asks for more; undefined when the options do not make an adapter.
 * Building an adapter only creates objects: no request is made and nothing needs closing.
 */
export function adapterBatchLimit(options: ClientOptions): number | undefined {
  try {
    return createAdapter(resolveOptions(options)).limits.maxBatchSize;
  } catch {
    return undefined;
  }
}
