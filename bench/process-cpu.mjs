// CPU time of the whole machine and of PostgreSQL's processes, from /proc (Linux), so that a benchmark whose parts
// run in several processes (relays, the sink, the database) can say what an event costs all of them together: on a
// machine the benchmark saturates, that cost, not a single process's, sets the rate. Elsewhere both read undefined.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MICROS = 10_000; // USER_HZ is 100 on Linux

/** { machine, postgres } in µs of CPU so far, or undefined without /proc. */
export function cpuSnapshot() {
  try {
    // Aggregate "cpu" line: user nice system idle iowait irq softirq steal ...
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const machine = (fields[0] + fields[1] + fields[2] + fields[5] + fields[6]) * TICK_MICROS;
    let postgres = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // gone meanwhile
      }
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      const rest = stat.slice(close + 2).split(' ');
      // utime and stime are fields 14 and 15 of the line; `rest` starts at field 3.
      postgres += (Number(rest[11]) + Number(rest[12])) * TICK_MICROS;
    }
    return { machine, postgres };
  } catch {
    return undefined;
  }
}

/** Per-event µs between two snapshots (PostgreSQL's processes that exited meanwhile are not counted: take `to` first). */
export function cpuPerEvent(from, to, events) {
  if (from === undefined || to === undefined || events === 0) return { machine: undefined, postgres: undefined };
  return { machine: (to.machine - from.machine) / events, postgres: (to.postgres - from.postgres) / events };
}
