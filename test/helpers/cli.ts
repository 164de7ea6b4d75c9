import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot: string = fileURLToPath(new URL('../../', import.meta.url));
export const cliPath: string = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Builds dist/ when it is missing (`npm test` builds first; this keeps a lone `npx vitest run` working). */
export function ensureCliBuilt(): void {
  if (!existsSync(cliPath)) execFileSync('npx', ['--no-install', 'tsup'], { cwd: repoRoot, stdio: 'ignore' });
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI with the Node that runs vitest (the project's Node 22). `input` is piped to standard input;
 * without it standard input is an empty pipe.
 */
export function runCli(args: readonly string[], input?: string): CliResult {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: repoRoot,
    input: input ?? '',
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The non-empty lines of a stream. */
export function linesOf(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}
