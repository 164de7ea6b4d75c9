import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/cli.js';

const run = promisify(execFile);

// The compile-time claims of audit-input-types.test.ts, checked by strict tsc inside the suite: vitest alone strips
// types, so without this a claim that stopped holding (an unused @ts-expect-error) would pass `vitest run`.

describe('the sendAudit input type under strict tsc', () => {
  it('compiles the type tests with every expected error present and no other', async () => {
    mkdirSync(join(repoRoot, '.cache'), { recursive: true });
    const dir = mkdtempSync(join(repoRoot, '.cache', 'audit-input-tsc-'));
    try {
      const project = join(dir, 'tsconfig.json');
      writeFileSync(
        project,
        JSON.stringify({ extends: '../../tsconfig.json', include: [], files: ['../../test/unit/client/audit-input-types.test.ts'] }),
      );
      const result = await run(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: repoRoot }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '' }),
      );
      expect(result.stdout).toBe('');
      expect(result.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
