/** Deletes undefined members in place, so optional wire fields are absent rather than present-but-undefined. */
export function compact<T extends Record<string, unknown>>(record: T): T {
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record;
}
