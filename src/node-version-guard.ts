/**
 * The first module `auditwire` and `auditwire/testing` evaluate. undici 8 calls `zlib` functions that Node added
 * in 22.19 while its modules load, so on an older Node an import would die deep inside undici with `Cannot read
 * properties of undefined (reading 'bind')`. This guard runs first and says what is wrong in one line instead.
 *
 * It must stay a module of its own, imported before anything else: ESM evaluates a module's imports in order,
 * before the module's own code, so a check written inside an entry would run after undici. The build keeps this
 * file a separate output file for that reason (tsup.config.ts).
 */
import { unsupportedNodeMessage } from './node-version.js';

const problem = unsupportedNodeMessage(process.version);
if (problem !== undefined) {
  const error = new Error(problem);
  // The message is the whole story; a stack into this file would only bury it.
  error.stack = `Error: ${problem}`;
  throw error;
}
