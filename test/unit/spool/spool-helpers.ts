import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { PreparedEvent } from '../../../src/adapters/adapter.js';
import { sha256Hex } from '../../../src/hash/sha256.js';
import { nodeJournalIo, type JournalIo } from '../../../src/spool/journal-io.js';
import type { SpoolBinding } from '../../../src/spool/journal-record.js';
import { Spool, type SpoolHooks, type SpoolSettings } from '../../../src/spool/spool.js';

export const BINDING: SpoolBinding = { adapter: 'auditlog', endpoint: 'http://127.0.0.1:4318', projectId: null };

const dirs: string[] = [];
const spools: Spool[] = [];

/** A fresh directory under the OS temp dir, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'auditwire-spool-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(spools.splice(0).map((spool) => spool.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A prepared event as an adapter would make it: canonical wire text, its hash and size. */
export function prepared(id: string, extra = ''): PreparedEvent {
  const wire = `{"action":"user.login","extra":${JSON.stringify(extra)},"uuid":${JSON.stringify(id)}}`;
  return { id, wire, hash: sha256Hex(wire), bytes: Buffer.byteLength(wire) };
}

export interface Recorded {
  readonly spool: Spool;
  /** Every `persisted` call, in order. */
  readonly persisted: string[][];
  readonly failures: unknown[];
}

/** A spool on `dir` whose hooks record what they are told; closed after the test. */
export function openSpool(dir: string, settings: Partial<SpoolSettings> = {}, io: JournalIo = nodeJournalIo, binding = BINDING): Recorded {
  const persisted: string[][] = [];
  const failures: unknown[] = [];
  const hooks: SpoolHooks = { persisted: (ids) => persisted.push(ids), failed: (error) => failures.push(error) };
  const spool = new Spool({ dir, commitIntervalMs: 5, maxBytes: 64 * 1024 * 1024, ...settings }, binding, hooks, io);
  spools.push(spool);
  return { spool, persisted, failures };
}

export function journalFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith('journal-'))
    .sort();
}

/** A JournalIo that logs each operation and can hold `datasync` until the test releases it. */
export function observedIo(): { io: JournalIo; log: string[]; holdSync: () => () => void } {
  const log: string[] = [];
  let gate: Promise<void> | undefined;
  const io: JournalIo = {
    ...nodeJournalIo,
    create: async (path) => {
      log.push(`create ${path.split('/').at(-1) ?? ''}`);
      return nodeJournalIo.create(path);
    },
    append: async (fd, data) => {
      log.push(`append ${data.toString().split('\n').length - 1} line(s)`);
      return nodeJournalIo.append(fd, data);
    },
    datasync: async (fd) => {
      log.push('datasync begins');
      if (gate !== undefined) await gate;
      await nodeJournalIo.datasync(fd);
      log.push('datasync done');
    },
    unlink: async (path) => {
      log.push(`unlink ${path.split('/').at(-1) ?? ''}`);
      return nodeJournalIo.unlink(path);
    },
  };
  const holdSync = (): (() => void) => {
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    return () => {
      gate = undefined;
      release();
    };
  };
  return { io, log, holdSync };
}

/**
 * What a killed process leaves: the journal files of `dir` copied to a fresh directory (no lock, nothing closed),
 * so a test can recover them while the original spool is still open in this process.
 */
export function leftovers(dir: string): string {
  const copy = tempDir();
  for (const name of journalFiles(dir)) copyFileSync(join(dir, name), join(copy, name));
  return copy;
}
