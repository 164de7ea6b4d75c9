import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventLine } from '../../../src/spool/journal-record.js';
import { segmentName } from '../../../src/spool/segment-file.js';
import { Spool } from '../../../src/spool/spool.js';
import { accept, newClient, useMockAuditLog, type MockAuditLog } from '../../helpers/client.js';
import { BINDING, journalFiles, openSpool, prepared, tempDir } from './spool-helpers.js';

let mock: MockAuditLog;
useMockAuditLog((server) => (mock = server));

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

/** What a SIGKILL at this instant would leave, and what the app and the server knew then. */
interface Moment {
  readonly copy: string;
  readonly persisted: ReadonlySet<string>;
  readonly sent: ReadonlySet<string>;
  readonly answered: ReadonlySet<string>;
  readonly resolved: ReadonlySet<string>;
}

describe('a crash at any moment of a run with a spool', () => {
  it('recovers every event persisted and not yet stored, and never one whose receipt resolved, whatever the phase', async () => {
    const dir = tempDir();
    const persisted = new Set<string>();
    const sent = new Set<string>();
    const answered = new Set<string>();
    const resolved = new Set<string>();
    const moments: Moment[] = [];
    const snapshot = (): void => {
      const copy = mkdtempSync(join(base, 'moment-'));
      for (const name of journalFiles(dir)) copyFileSync(join(dir, name), join(copy, name));
      moments.push({ copy, persisted: new Set(persisted), sent: new Set(sent), answered: new Set(answered), resolved: new Set(resolved) });
    };
    mock.always(async (request) => {
      for (const event of request.events) sent.add(String(event.uuid));
      snapshot(); // sent, not answered
      const reply = await accept()(request);
      for (const event of request.events) answered.add(String(event.uuid));
      return reply;
    });
    // A commit interval long enough that acknowledgements wait in a group while the app runs on.
    const client = newClient({ maxBatchSize: 4, spool: { dir, commitIntervalMs: 15 } });
    client.on('persisted', (ids) => {
      for (const id of ids) persisted.add(id);
      snapshot();
    });
    let running = true;
    const ticker = (async () => {
      // Every turn of the event loop until the run ends (bounded by the run's own bound below).
      for (let turn = 0; running && turn < 10_000; turn++) {
        snapshot();
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const ids = Array.from({ length: 24 }, (_, i) => `m-${String(i).padStart(2, '0')}`);
    await Promise.all(
      ids.map((id) =>
        client.sendAudit({ id, action: 'user.login' }).then(() => {
          resolved.add(id);
          snapshot();
        }),
      ),
    );
    running = false;
    await ticker;
    await client.close();

    const phases = { persisted: 0, sent: 0, answeredNotCommitted: 0, committed: 0 };
    const violations: string[] = [];
    for (const moment of moments) {
      const spool = new Spool({ dir: moment.copy, commitIntervalMs: 5, maxBytes: 1 << 20 }, { ...BINDING }, { persisted: () => {}, failed: () => {} });
      const recovered = new Set(spool.recovered.map((entry) => entry.event.id));
      await spool.close();
      for (const id of ids) {
        if (moment.resolved.has(id) && recovered.has(id)) violations.push(`${id} resolved, yet would be sent again`);
        if (moment.persisted.has(id) && !moment.answered.has(id) && !recovered.has(id)) violations.push(`${id} persisted, not stored, yet lost`);
        if (moment.persisted.has(id) && !moment.sent.has(id)) phases.persisted++;
        else if (moment.sent.has(id) && !moment.answered.has(id)) phases.sent++;
        else if (moment.answered.has(id) && recovered.has(id)) phases.answeredNotCommitted++;
        else if (moment.answered.has(id)) phases.committed++;
      }
    }
    expect(violations).toEqual([]);
    // The run went through every phase (appended-only events are simply absent from a snapshot).
    expect(Object.values(phases).every((count) => count > 0)).toBe(true);
  });
});
