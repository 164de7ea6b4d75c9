import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventLine } from '../../../src/spool/journal-record.js';
import { segmentName } from '../../../src/spool/segment-file.js';
import { Spool } from '../../../src/spool/spool.js';
import { BINDING, journalFiles, openSpool, prepared, tempDir } from './spool-helpers.js';

// The whole recovery surface of one journal: every byte of it damaged in turn (the header copies, event records,
// an acknowledgement, the last newline-terminated record, a torn tail), each damage read back by a new spool.
// What must hold for every position: every intact event comes back, in order; an acknowledged event comes back
// only if its acknowledgement line is the damaged one; damage to a line written whole is counted as corruption
// (what the client warns about), never passed off as a torn tail.

// On tmpfs where there is one: thousands of openings, each with its fsyncs.
const base = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'auditwire-surface-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

interface Line {
  readonly kind: 'header' | 'event' | 'ack' | 'torn';
  readonly id?: string;
  /** First byte and the byte after the line's newline (the tail has none). */
  readonly start: number;
  readonly end: number;
}

/** e1..e5 durable, e2 acknowledged, then e6 (the last whole record), then a torn part of e7's record. */
async function buildJournal(): Promise<{ bytes: Buffer; lines: Line[] }> {
  const dir = tempDir();
  const { spool } = openSpool(dir);
  const entries = ['e1', 'e2', 'e3', 'e4', 'e5'].map((id) => spool.append(prepared(id)));
  await spool.sync();
  await spool.ack(entries[1]!);
  spool.append(prepared('e6'));
  await spool.sync();
  const written = readFileSync(join(dir, journalFiles(dir)[0]!));
  const torn = Buffer.from(eventLine(7, prepared('e7')).slice(0, 40));
  const bytes = Buffer.concat([written, torn]);
  const kinds: Array<Pick<Line, 'kind' | 'id'>> = [
    { kind: 'header' },
    { kind: 'header' },
    ...['e1', 'e2', 'e3', 'e4', 'e5'].map((id) => ({ kind: 'event' as const, id })),
    { kind: 'ack' },
    { kind: 'event', id: 'e6' },
  ];
  const lines: Line[] = [];
  let start = 0;
  for (const kind of kinds) {
    const end = bytes.indexOf(0x0a, start) + 1;
    lines.push({ ...kind, start, end });
    start = end;
  }
  lines.push({ kind: 'torn', start, end: bytes.length });
  await spool.close();
  return { bytes, lines };
}

const LIVE = ['e1', 'e3', 'e4', 'e5', 'e6'];
const DAMAGES: ReadonlyArray<readonly [string, (byte: number) => number]> = [
  ['one flipped bit', (byte) => byte ^ 0x01],
  ['a byte turned into a newline', () => 0x0a],
  ['a zeroed byte', () => 0x00],
];

describe('recovering a journal damaged at any byte', () => {
  it.each(DAMAGES)('recovers every intact event and reports the damage, with %s at every position', async (_name, damage) => {
    const { bytes, lines } = await buildJournal();
    const failures: string[] = [];
    for (let position = 0; position < bytes.length; position++) {
      const replaced = damage(bytes[position]!);
      if (replaced === bytes[position]) continue;
      const line = lines.find((candidate) => position >= candidate.start && position < candidate.end)!;
      const damaged = Buffer.from(bytes);
      damaged[position] = replaced;
      const dir = mkdtempSync(join(base, 'case-'));
      writeFileSync(join(dir, segmentName(1)), damaged);
      const spool = new Spool({ dir, commitIntervalMs: 5, maxBytes: 1 << 20 }, BINDING, { persisted: () => {}, failed: () => {} });
      const recovered = spool.recovered.map((entry) => entry.event.id);
      const { torn, corrupt } = spool.damage;
      await spool.close();
      rmSync(dir, { recursive: true, force: true });

      // The damaged byte is the line's newline: the record itself is intact.
      const inRecord = line.kind === 'event' && position < line.end - 1;
      const expected = LIVE.filter((id) => !(inRecord && id === line.id));
      const allowed = line.kind === 'ack' ? [...expected, 'e2'].sort() : expected;
      const intactKept = expected.every((id) => recovered.includes(id));
      const nothingElse = recovered.every((id) => allowed.includes(id));
      const inOrder = recovered.join() === [...recovered].sort().join();
      const reported = line.kind === 'torn' ? torn + corrupt > 0 : corrupt > 0;
      if (!(intactKept && nothingElse && inOrder && reported)) {
        failures.push(`byte ${position} (${line.kind} ${line.id ?? ''}): recovered ${recovered.join(',')}; torn ${torn}, corrupt ${corrupt}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
