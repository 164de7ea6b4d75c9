import type { PreparedEvent } from '../adapters/adapter.js';
import type { AuditsError } from '../errors.js';
import type { QueuedItem } from '../processor/batch-processor.js';
import type { AuditReceipt } from './receipt.js';

/** One accepted event on its way: the prepared event, its promise's settle functions, and attempt count. */
export interface PendingEvent extends QueuedItem {
  readonly prepared: PreparedEvent;
  attempts: number;
  readonly resolve: (receipt: AuditReceipt) => void;
  readonly reject: (error: AuditsError) => void;
}
