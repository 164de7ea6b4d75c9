// Shared benchmark helpers: interleaved rounds and medians, so that noise from a shared machine hits every
// candidate alike and the ratios stay meaningful; and the sink and client processes of the end-to-end benchmarks.
import { fork } from 'node:child_process';
import { createServer } from 'node:net';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Calls `fn` over `inputs` repeatedly for about `targetMs`; returns operations per second, of wall time or, with
 * `clock: 'cpu'`, of this process's CPU time (which time spent waiting for a core on a shared machine does not inflate).
 */
export function opsPerSecond(fn, inputs, targetMs, clock = 'wall') {
  let operations = 0;
  let sink = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(targetMs * 1e6));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < inputs.length; i++) sink ^= fn(inputs[i]).length;
    operations += inputs.length;
    now = process.hrtime.bigint();
  }
  if (sink === -1) console.log('unreachable'); // keeps the results observable to the optimizer
  if (clock === 'cpu') {
    const cpu = process.cpuUsage(cpuStart);
    return operations / ((cpu.user + cpu.system) / 1e6);
  }
  return operations / (Number(now - start) / 1e9);
}

/**
 * Runs every candidate once per round, in a rotating order, `rounds` times after one warm-up round; returns the
 * median ops/s of each candidate.
 */
export function compare(candidates, inputs, { rounds = 7, targetMs = 150, clock = 'wall' } = {}) {
  const samples = new Map(candidates.map(({ name }) => [name, []]));
  for (let round = -1; round < rounds; round++) {
    const offset = Math.max(round, 0) % candidates.length;
    const order = [...candidates.slice(offset), ...candidates.slice(0, offset)];
    for (const { name, fn } of order) {
      const value = opsPerSecond(fn, inputs, targetMs, clock);
      if (round >= 0) samples.get(name).push(value);
    }
  }
  return new Map([...samples].map(([name, values]) => [name, median(values)]));
}

export const formatRate = (value) => Math.round(value).toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------------------------
// Processes: the sink (sink-process.mjs) and one client per process (client-process.mjs). Each child is killed by
// the pid we spawned if it outlives its time limit, and on our own exit.

const children = new Set();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** The last `limit` characters a child wrote to stderr (kept for error reports; the rest is dropped). */
function tail(stream, limit = 2000) {
  let text = '';
  stream?.on('data', (chunk) => {
    text = (text + chunk).slice(-limit);
  });
  return () => text;
}

/**
 * Starts the sink in its own process; ports 0 = any. Resolves to
 * `{ referenceUrl, peerUrl, stats(), stop() }`, `stats()` being the counts since the previous call.
 */
export function startSink(referencePort = 0, peerPort = 0) {
  const child = track(
    fork(new URL('./sink-process.mjs', import.meta.url), [String(referencePort), String(peerPort)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
  );
  const next = () =>
    new Promise((resolve, reject) => {
      const onExit = (code) => reject(new Error(`the sink exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message);
      });
    });
  return next().then(({ referenceUrl, peerUrl }) => ({
    referenceUrl,
    peerUrl,
    stats: () => (child.send('stats'), next().then(({ stats }) => stats)),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => (clearTimeout(timer), resolve()));
        child.send('stop');
      }),
  }));
}

/** `count` loopback ports nothing listens on (bound, then released): connection refused until a sink takes them. */
export async function freePorts(count) {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => server.address().port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/**
 * Runs one client job (see client-process.mjs) in a new process and resolves with its result. `onMessage` gets
 * the child's intermediate messages (the outage's 'outage-done') with a `reply` function. The child is killed
 * after `timeoutMs`.
 */
export function runClient(job, { env = {}, timeoutMs = 180_000, onMessage } = {}) {
  return new Promise((resolve, reject) => {
    const child = track(
      fork(new URL('./client-process.mjs', import.meta.url), [JSON.stringify(job)], {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        env: { ...process.env, ...env },
      }),
    );
    const stderr = tail(child.stderr);
    let result;
    const timer = setTimeout(() => {
      result ??= { error: `timed out after ${timeoutMs} ms` };
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (message) => {
      if ('result' in message || 'error' in message) result = message;
      else onMessage?.(message, (reply) => child.send(reply));
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (result?.result) return resolve(result.result);
      reject(new Error(`${job.client} (${job.mode}): ${result?.error ?? `exited with ${code ?? signal} and no result`}\n${stderr()}`));
    });
  });
}

export const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** The login event the spool and ledger benchmarks send (a typical event, fields included). */
export const loginEvent = (i) => ({
  id: `evt-${i}`,
  action: 'user.login',
  actor: { id: `user-${i % 1000}`, name: 'Jane Smith', email: 'jane.smith@acme.example' },
  tenant: { id: 'acme-corp', name: 'Acme Corp' },
  target: { id: 'session', type: 'session' },
  crud: 'c',
  ip: '203.0.113.7',
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  fields: { method: 'password', mfa: 'totp' },
});
