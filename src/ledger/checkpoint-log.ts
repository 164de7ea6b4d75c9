import { checksumLine, lineBody } from './checksum-line.js';
import { readLines } from './line-reader.js';

/** A checkpoint's line in `checkpoints.log`: the signed note as a JSON string, framed with a checksum. */
export function checkpointLine(note: string): string {
  return checksumLine(JSON.stringify(note));
}

export type CheckpointEntry =
  | { readonly ok: true; readonly number: number; readonly note: string; readonly offset: number }
  | { readonly ok: false; readonly number: number; readonly reason: string; readonly offset: number; readonly terminated: boolean };

/** The signed notes of `checkpoints.log` in order, numbered from 1, streamed. */
export async function* readCheckpointLog(path: string): AsyncGenerator<CheckpointEntry> {
  let number = 0;
  for await (const line of readLines(path)) {
    number++;
    const body = lineBody(line.text);
    let note: unknown;
    try {
      note = body === undefined ? undefined : JSON.parse(body);
    } catch {
      note = undefined;
    }
    if (typeof note === 'string') yield { ok: true, number, note, offset: line.offset };
    else yield { ok: false, number, reason: body === undefined ? 'checksum mismatch (a torn or edited line)' : 'not a JSON string', offset: line.offset, terminated: line.terminated };
  }
}
