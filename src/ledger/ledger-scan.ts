import { readCheckpointLog } from './checkpoint-log.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { ledgerPaths } from './ledger-files.js';
import { readLines } from './line-reader.js';
import { leafHash } from './merkle-hash.js';
import { MerkleFrontier } from './merkle-frontier.js';
import { parseRecordLine } from './ledger-record.js';

/** A ledger directory that cannot be appended to without hiding damage: the writer refuses it. */
export class LedgerDamagedError extends Error {
  override readonly name = 'LedgerDamagedError';
}

export interface LedgerState {
  readonly frontier: MerkleFrontier;
  /** Where a torn last write begins in `records.log` (undefined when the file ends cleanly). */
  readonly recordsTornAt: number | undefined;
  readonly checkpointsTornAt: number | undefined;
  /** The last checkpoint written (its signature is not checked here: the key may have been rotated). */
  readonly lastCheckpoint: Checkpoint | undefined;
}

/**
 * Reads a ledger back for appending: the tree's frontier, and any torn tail (lines a crash cut short, after
 * which nothing was written and which nobody was told were durable). Damage anywhere else, or records that no
 * longer match the last checkpoint, is refused: appending would bury it under fresh checkpoints.
 */
export async function scanLedger(dir: string): Promise<LedgerState> {
  const paths = ledgerPaths(dir);
  let lastCheckpoint: Checkpoint | undefined;
  let checkpointsTornAt: number | undefined;
  for await (const entry of readCheckpointLog(paths.checkpoints)) {
    if (checkpointsTornAt !== undefined) throw new LedgerDamagedError(`checkpoints.log line ${entry.number - 1} is damaged and lines follow it`);
    if (!entry.ok) {
      checkpointsTornAt = entry.offset;
      continue;
    }
    try {
      lastCheckpoint = parseCheckpoint(entry.note.slice(0, entry.note.indexOf('\n\n') + 1));
    } catch (error) {
      throw new LedgerDamagedError(`checkpoints.log line ${entry.number}: ${(error as Error).message}`);
    }
  }
  const frontier = new MerkleFrontier();
  let recordsTornAt: number | undefined;
  let tornLine = 0;
  let lineNumber = 0;
  for await (const line of readLines(paths.records)) {
    lineNumber++;
    if (recordsTornAt !== undefined) throw new LedgerDamagedError(`records.log line ${tornLine} is damaged and records follow it`);
    const parsed = parseRecordLine(line.text);
    if (!parsed.ok || !line.terminated) {
      recordsTornAt = line.offset;
      tornLine = lineNumber;
      continue;
    }
    frontier.append(leafHash(parsed.json));
    if (lastCheckpoint !== undefined && frontier.size === lastCheckpoint.size && !frontier.root().equals(lastCheckpoint.root)) {
      throw new LedgerDamagedError(`the first ${lastCheckpoint.size} records no longer hash to the last checkpoint's root`);
    }
  }
  if (lastCheckpoint !== undefined && frontier.size < lastCheckpoint.size) {
    throw new LedgerDamagedError(`records.log holds ${frontier.size} records but the last checkpoint covers ${lastCheckpoint.size}`);
  }
  if (lastCheckpoint?.size === 0 && !frontier.root().equals(lastCheckpoint.root) && frontier.size === 0) {
    throw new LedgerDamagedError('the last checkpoint of the empty ledger has a wrong root');
  }
  return { frontier, recordsTornAt, checkpointsTornAt, lastCheckpoint };
}
