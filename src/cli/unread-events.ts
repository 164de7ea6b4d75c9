import { createReadStream } from 'node:fs';
import { readEvents } from './event-stream.js';
import type { FailureRecord } from './failure-log.js';

/**
 * Records every event of the input file after `lastIndex` as not sent, so that after an interrupt the failures file
 * holds everything still to send (failed, in flight, and never read) and sending it resumes the run. Reads the file
 * again from its start: only the events' places are needed, and the file is the one the run read.
 */
export async function recordUnread(path: string, source: string, lastIndex: number | undefined, record: (failure: FailureRecord) => void): Promise<number> {
  let count = 0;
  for await (const item of readEvents(createReadStream(path), { source })) {
    if (lastIndex !== undefined && item.index <= lastIndex) continue;
    count++;
    record({ index: item.index, where: item.where, id: null, code: 'NOT_SENT', message: 'not read before the run was interrupted', text: item.text });
  }
  return count;
}
