// One client in its own process, so that its CPU time and peak RSS are its own. Forked by lib.mjs `runClient` with
// the job as JSON in argv[2]; reports over IPC and exits.
//
// mode 'burst':  events 0..n-1 as the SDK's users send them (peers.mjs), timed from the first send until the SDK
//                says everything is delivered and it is closed/flushed. Reports wall time, CPU (user + system) over
//                that span, RSS before the burst, and the process's peak RSS (getrusage maxrss). With `warmupBursts`,
//                that many unmeasured bursts come first (the peak RSS then includes theirs).
// mode 'outage': the sink is down (connection refused). Offers `perTick` events every `tickMs` for `seconds`,
//                sampling RSS every 100 ms; then says { phase: 'outage-done' }, waits for 'sink-up', and closes the
//                client within `finishTimeoutMs` (the recovery), still sampling.
import { CLIENTS } from './peers.mjs';

const job = JSON.parse(process.argv[2]);
const spec = CLIENTS[job.client];
if (spec === undefined) throw new Error(`unknown client ${job.client}`);

// Orphaned (the benchmark died): stop at once rather than wait for a 'sink-up' that will never come.
process.on('disconnect', () => process.exit(1));

const send = (message) => new Promise((resolve) => process.send(message, resolve));
const now = () => performance.now();

async function burst() {
  // Warm: the same burst first, `warmupBursts` times, through clients of its own (the JIT has compiled the SDK's
  // path, as in a backend that has been running); then the parent resets the sink's counts and says 'go'.
  for (let i = 0; i < (job.warmupBursts ?? 0); i++) await (await spec.create(job.urls, job.options)).burst(job.events);
  if (job.warmupBursts > 0) {
    const go = new Promise((resolve) => process.once('message', resolve));
    await send({ phase: 'warm' });
    await go;
  }
  const driver = await spec.create(job.urls, job.options);
  const rssBefore = process.memoryUsage.rss();
  const cpuStart = process.cpuUsage();
  const start = now();
  await driver.burst(job.events);
  const ms = now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { ms, cpuMicros: cpu.user + cpu.system, rssBefore, peakRss: process.resourceUsage().maxRSS * 1024, counts: driver.counts() };
}

async function outage() {
  const driver = await spec.create(job.urls, job.options);
  const start = now();
  const samples = [[0, process.memoryUsage.rss()]];
  const sampler = setInterval(() => samples.push([now() - start, process.memoryUsage.rss()]), 100);
  let offered = 0;
  await new Promise((resolve) => {
    // On schedule: a tick that comes late offers what the late ones missed (up to two ticks' worth), so a client
    // whose sends are cheap is offered the full rate; one whose sends block the event loop is offered less.
    const tick = () => {
      const elapsed = now() - start;
      if (elapsed >= job.seconds * 1000) {
        clearInterval(ticker);
        return resolve();
      }
      const due = Math.min((Math.floor(elapsed / job.tickMs) + 1) * job.perTick, offered + 2 * job.perTick) - offered;
      if (due <= 0) return;
      driver.offer(offered, due);
      offered += due;
    };
    const ticker = setInterval(tick, job.tickMs);
    tick();
  });
  const outageMs = now() - start;
  const atOutageEnd = { ...driver.counts(), rss: process.memoryUsage.rss(), peakRss: process.resourceUsage().maxRSS * 1024 };
  const sinkUp = new Promise((resolve) => process.once('message', resolve));
  await send({ phase: 'outage-done' });
  await sinkUp;
  const recoveryStart = now();
  const finished = await driver.finish(job.finishTimeoutMs);
  const recoveryMs = now() - recoveryStart;
  clearInterval(sampler);
  samples.push([now() - start, process.memoryUsage.rss()]);
  return {
    offered,
    outageMs,
    atOutageEnd,
    finished,
    recoveryMs,
    final: driver.counts(),
    initFailed: driver.initError !== undefined,
    samples,
    peakRss: process.resourceUsage().maxRSS * 1024,
  };
}

try {
  const result = job.mode === 'outage' ? await outage() : await burst();
  await send({ result });
} catch (error) {
  await send({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
}
process.exit(0);
