import type { Spool } from './spool.js';

/**
 * The warning for damage found on opening a journal: how many lines were unreadable (each was written whole, so it
 * held an event or an acknowledgement: an event may be lost, or a delivered one sent again), how many intact
 * events were recovered all the same, and whether their owner had to be assumed.
 */
export function describeDamage(spool: Pick<Spool, 'damage' | 'unbound' | 'recovered'>, dir: string): string {
  const parts: string[] = [];
  if (spool.damage.corrupt > 0) {
    parts.push(
      `${spool.damage.corrupt} damaged journal line(s) in ${dir} could not be read (each held an event, which may be lost, or an acknowledgement, whose events are sent again)`,
    );
  }
  if (spool.unbound > 0) {
    parts.push(`${spool.unbound} event(s) had no readable segment header and are taken as this client's adapter and endpoint`);
  }
  parts.push(`${spool.recovered.length} intact event(s) recovered`);
  return parts.join('; ');
}
