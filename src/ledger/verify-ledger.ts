import { readFile } from 'node:fs/promises';
import { readCheckpointLog } from './checkpoint-log.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { ledgerPaths } from './ledger-files.js';
import { parseRecordLine } from './ledger-record.js';
import { readLines } from './line-reader.js';
import { EMPTY_TREE_HASH, leafHash } from './merkle-hash.js';
import { MerkleFrontier } from './merkle-frontier.js';
import type { NoteVerifier } from './note-key.js';
import { openNote } from './signed-note.js';

/** One thing wrong with a ledger, with where it is: a record number (0-based leaf index) or a checkpoint number (1-based line). */
export interface LedgerProblem {
  readonly where: string;
  readonly message: string;
}

export interface LedgerVerification {
  readonly records: number;
  readonly checkpoints: number;
  /** Tree size of the last valid checkpoint (0 when there is none). */
  readonly checkpointed: number;
  readonly problems: number;
}

interface SignedCheckpoint extends Checkpoint {
  readonly number: number;
}

/**
 * Recomputes the tree from `records.log` and checks every checkpoint of `checkpoints.log` against it: a valid
 * signature by `verifier`, sizes that never shrink, and a root equal to the tree of that many records. Every
 * checkpoint matching the one record stream is what makes each consistent with the one before it (a prefix of
 * the same leaves); a truncated, reordered or edited ledger fails at the first checkpoint it touches.
 *
 * Both files are streamed side by side: memory is O(log n) whatever their size. Each problem goes to `report`
 * as it is found.
 */
export async function verifyLedger(dir: string, verifier: NoteVerifier, report: (problem: LedgerProblem) => void): Promise<LedgerVerification> {
  const paths = ledgerPaths(dir);
  let problems = 0;
  const problem = (where: string, message: string): void => {
    problems++;
    report({ where, message });
  };
  const checkpoints = signedCheckpoints(paths.checkpoints, verifier, problem);
  const frontier = new MerkleFrontier();
  let count = 0;
  let checkpointCount = 0;
  let last: SignedCheckpoint | undefined;
  let previousMatched = 0;
  let next = await checkpoints.next();
  // Takes every checkpoint the records have now reached (an out-of-order smaller one included, which is reported).
  const compareReached = async (): Promise<void> => {
    while (!next.done && next.value.size <= frontier.size) {
      const checkpoint = next.value;
      checkpointCount++;
      if (last !== undefined && checkpoint.size < last.size) {
        problem(`checkpoint ${checkpoint.number}`, `tree size ${checkpoint.size} is smaller than checkpoint ${last.number}'s ${last.size}: the ledger was rolled back`);
      } else if (!frontier.root().equals(checkpoint.root)) {
        problem(
          `checkpoint ${checkpoint.number}`,
          `records 0..${checkpoint.size - 1} do not hash to its root: a record from ${previousMatched} to ${checkpoint.size - 1} was changed, removed or inserted`,
        );
      } else {
        previousMatched = checkpoint.size;
      }
      last = checkpoint;
      next = await checkpoints.next();
    }
  };
  await compareReached();
  for await (const line of readLines(paths.records)) {
    const parsed = parseRecordLine(line.text);
    if (!parsed.ok) problem(`record ${count}`, `line ${count + 1} of records.log: ${line.terminated ? parsed.reason : 'cut short (no newline)'}`);
    // A damaged line still counts as its bytes, so the checkpoints show whether its content changed.
    frontier.append(leafHash(parsed.ok ? parsed.json : line.text.slice(9)));
    count++;
    if (!next.done && next.value.size <= count) await compareReached();
  }
  while (!next.done) {
    const checkpoint = next.value;
    checkpointCount++;
    problem(`checkpoint ${checkpoint.number}`, `covers ${checkpoint.size} records but records.log holds ${count}: the ledger was truncated`);
    last = checkpoint;
    next = await checkpoints.next();
  }
  if (checkpointCount === 0) problem('checkpoints.log', `no checkpoint signed by ${verifier.name}`);
  await checkLatest(paths.latest, last, verifier, problem);
  return { records: count, checkpoints: checkpointCount, checkpointed: last?.size ?? 0, problems };
}

/** The checkpoints whose note is signed by `verifier` and reads as a checkpoint; the others are reported and skipped. */
async function* signedCheckpoints(path: string, verifier: NoteVerifier, problem: (where: string, message: string) => void): AsyncGenerator<SignedCheckpoint> {
  let origin: string | undefined;
  for await (const entry of readCheckpointLog(path)) {
    const where = `checkpoint ${entry.number}`;
    if (!entry.ok) {
      problem(where, `line ${entry.number} of checkpoints.log: ${entry.reason}`);
      continue;
    }
    const opened = openNote(entry.note, verifier);
    if (!opened.ok) {
      problem(where, opened.reason);
      continue;
    }
    let checkpoint: Checkpoint;
    try {
      checkpoint = parseCheckpoint(opened.text);
    } catch (error) {
      problem(where, (error as Error).message);
      continue;
    }
    if (origin !== undefined && checkpoint.origin !== origin) problem(where, `origin "${checkpoint.origin}" differs from the earlier "${origin}"`);
    origin ??= checkpoint.origin;
    if (checkpoint.size === 0 && !checkpoint.root.equals(EMPTY_TREE_HASH)) {
      problem(where, 'the empty tree has the wrong root');
      continue;
    }
    yield { ...checkpoint, number: entry.number };
  }
}

/** The `checkpoint` file must be the last checkpoint of the log (tools read it alone). */
async function checkLatest(path: string, last: SignedCheckpoint | undefined, verifier: NoteVerifier, problem: (where: string, message: string) => void): Promise<void> {
  let note: string;
  try {
    note = await readFile(path, 'utf8');
  } catch {
    if (last !== undefined) problem('checkpoint file', 'missing');
    return;
  }
  const opened = openNote(note, verifier);
  if (!opened.ok) return problem('checkpoint file', opened.reason);
  try {
    const checkpoint = parseCheckpoint(opened.text);
    if (last === undefined || checkpoint.size !== last.size || !checkpoint.root.equals(last.root)) {
      problem('checkpoint file', `tree size ${checkpoint.size} is not the last checkpoint of checkpoints.log`);
    }
  } catch (error) {
    problem('checkpoint file', (error as Error).message);
  }
}
