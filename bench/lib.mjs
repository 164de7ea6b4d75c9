// Shared benchmark helpers: interleaved rounds and medians, so that noise from a shared machine hits every
// candidate alike and the ratios stay meaningful.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Calls `fn` over `inputs` repeatedly for about `targetMs`; returns operations per second. */
export function opsPerSecond(fn, inputs, targetMs) {
  let operations = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(targetMs * 1e6));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < inputs.length; i++) sink ^= fn(inputs[i]).length;
    operations += inputs.length;
    now = process.hrtime.bigint();
  }
  if (sink === -1) console.log('unreachable'); // keeps the results observable to the optimizer
  return operations / (Number(now - start) / 1e9);
}

/**
 * Runs every candidate once per round, in a rotating order, `rounds` times after one warm-up round; returns the
 * median ops/s of each candidate.
 */
export function compare(candidates, inputs, { rounds = 7, targetMs = 150 } = {}) {
  const samples = new Map(candidates.map(({ name }) => [name, []]));
  for (let round = -1; round < rounds; round++) {
    const offset = Math.max(round, 0) % candidates.length;
    const order = [...candidates.slice(offset), ...candidates.slice(0, offset)];
    for (const { name, fn } of order) {
      const value = opsPerSecond(fn, inputs, targetMs);
      if (round >= 0) samples.get(name).push(value);
    }
  }
  return new Map([...samples].map(([name, values]) => [name, median(values)]));
}

export const formatRate = (value) => Math.round(value).toLocaleString('en-US');
