import { describe, expect, it } from 'vitest';
import { insertStatement } from '../../src/outbox/record-sql.js';
import { tableNames } from '../../src/outbox/table-names.js';

const event = (id: string) => ({ id, hash: 'h', wire: '{}', bytes: 2 });

describe('insertStatement', () => {
  it.each([
    ['one event', [event('a')]],
    ['many events', [event('a'), event('b')]],
  ])('numbers its placeholders once each and in order, for %s, so ?-placeholder bridges can rewrite them', (_name, events) => {
    const { text, values } = insertStatement(tableNames(), events, 'auditlog');
    const numbers = [...text.matchAll(/\$(\d+)/g)].map((match) => Number(match[1]));
    expect(numbers).toEqual(values.map((_value, index) => index + 1));
  });
});
