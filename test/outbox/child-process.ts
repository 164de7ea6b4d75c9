import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The children run the built package: build it when dist/ has no outbox yet (npm test builds first). */
export function ensureOutboxBuilt(): void {
  if (!existsSync(`${root}/dist/outbox.js`)) execFileSync('npx', ['--no-install', 'tsup'], { cwd: root, stdio: 'ignore' });
}

/** A child process whose standard output is read line by line. */
export interface Child {
  readonly process: ChildProcess;
  /** Every line printed so far. */
  readonly lines: string[];
  /** Resolves with the first line (past or future) that `match` accepts; rejects when the child exits first or after `ms`. */
  line(match: (line: string) => boolean, ms: number): Promise<string>;
  /** Resolves with the exit code or signal. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
}

export function startChild(script: string, options: unknown, onLine?: (line: string) => void): Child {
  const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), JSON.stringify(options)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let rest = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      onLine?.(line);
    }
    for (const wake of [...waiters]) wake();
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return {
    process: child,
    lines,
    exited,
    line(match, ms) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = lines.find(match);
          if (found !== undefined) finish(() => resolve(found));
        };
        const finish = (settle: () => void): void => {
          waiters.delete(check);
          clearTimeout(timer);
          settle();
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`no such line within ${ms} ms; stderr: ${stderr}`))), ms);
        void exited.then((how) => finish(() => reject(new Error(`the child exited (${String(how)}) first; stderr: ${stderr}`))));
        waiters.add(check);
        check();
      });
    },
  };
}
