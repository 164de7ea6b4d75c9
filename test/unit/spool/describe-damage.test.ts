import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/index.js';
import { accept, newClient, useMockAuditLog, type MockAuditLog } from '../../helpers/client.js';
import { journalFiles, tempDir } from './spool-helpers.js';

let mock: MockAuditLog;
useMockAuditLog((server) => (mock = server));

function capturingLogger(): { logger: Logger; warnings: string[]; debug: string[] } {
  const warnings: string[] = [];
  const debug: string[] = [];
  return { logger: { debug: (line: string) => debug.push(line), warn: (line: string) => warnings.push(line), error: () => {} }, warnings, debug };
}

/** Journals `ids` with a client that is then destroyed before it sends them; returns the segment's path. */
async function journaled(dir: string, ids: readonly string[]): Promise<string> {
  const first = newClient({ flushIntervalMs: 60_000, spool: { dir, commitIntervalMs: 0 } });
  // Destroyed on purpose with its events unsent (they stay journaled): those failures are expected, not printed.
  first.on('error', () => {});
  const persisted: string[] = [];
  const all = new Promise<void>((resolve) =>
    first.on('persisted', (batch) => {
      persisted.push(...batch);
      if (persisted.length === ids.length) resolve();
    }),
  );
  for (const id of ids) void first.sendAudit({ id, action: 'user.login' });
  await all;
  await first.destroy();
  return join(dir, journalFiles(dir)[0]!);
}

function flipByte(path: string, position: number): void {
  const bytes = readFileSync(path);
  bytes[position] = bytes[position]! ^ 0x20;
  writeFileSync(path, bytes);
}

describe('damage in a journal, as the client reports it', () => {
  it('delivers every intact event of a journal whose header line is damaged, and warns with the counts', async () => {
    const dir = tempDir();
    const ids = ['h-1', 'h-2', 'h-3', 'h-4', 'h-5'];
    flipByte(await journaled(dir, ids), 15);
    mock.always(accept());
    const { logger, warnings } = capturingLogger();
    const next = newClient({ logger, spool: { dir, commitIntervalMs: 0 } });
    const delivered: string[] = [];
    next.on('delivered', (receipt) => delivered.push(receipt.id));
    await next.flush();
    expect(delivered).toEqual(ids);
    expect(warnings).toEqual([expect.stringMatching(/^auditwire: spool: 1 damaged journal line\(s\) in .* could not be read .*; 5 intact event\(s\) recovered$/)]);
  });

  it('warns, not only at debug level, when the last newline-terminated record of a persisted event is damaged', async () => {
    const dir = tempDir();
    const path = await journaled(dir, ['l-1', 'l-2']);
    flipByte(path, readFileSync(path).length - 20);
    mock.always(accept());
    const { logger, warnings, debug } = capturingLogger();
    const next = newClient({ logger, spool: { dir, commitIntervalMs: 0 } });
    await next.flush();
    expect(warnings).toEqual([expect.stringMatching(/1 damaged journal line\(s\) .*; 1 intact event\(s\) recovered$/)]);
    expect(debug.filter((line) => line.includes('cut short'))).toEqual([]);
  });
});
