import { describe, expect, it } from 'vitest';
import { tableNames } from '../../src/outbox/table-names.js';

describe('tableNames', () => {
  it('quotes the default names and derives one channel per schema and table', () => {
    const names = tableNames();
    expect(names.table).toBe('"public"."auditwire_outbox"');
    expect(names.receipts).toBe('"public"."auditwire_outbox_receipts"');
    expect(names.channel).toMatch(/^auditwire_outbox_[0-9a-f]{16}$/);
    expect(tableNames({ schema: 'audit' }).channel).not.toBe(names.channel);
    expect(tableNames({ table: 'auditwire_outbox' }).channel).toBe(names.channel);
  });

  it.each(['', 'a"b', "a'b", 'a b', 'a$b', '1abc', 'x'.repeat(49)])('refuses %j as a name', (name) => {
    expect(() => tableNames({ table: name })).toThrow(/plain identifier/);
    expect(() => tableNames({ schema: name })).toThrow(/plain identifier/);
  });
});
