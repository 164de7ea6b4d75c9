/**
 * The database password a driver object holds, where the drivers keep it, so that a relay masks it in the driver
 * errors it logs and emits (the outbox is handed the driver, never the password). node-postgres keeps a Pool's
 * settings in `options` (`password`, `connectionString`) and a Client's in `connectionParameters`; postgres.js keeps
 * them in `sql.options` (`pass`). A password given as a function (node-postgres allows it) is not known here.
 * Reading is defensive: a getter that throws or a shape that differs gives nothing, never an error.
 */
export function driverSecrets(db: unknown): string[] {
  const found: string[] = [];
  for (const settings of [member(db, 'options'), member(db, 'connectionParameters'), db]) {
    for (const key of ['password', 'pass']) {
      const value = member(settings, key);
      if (typeof value === 'string' && value !== '') found.push(value);
    }
    const connectionString = member(settings, 'connectionString');
    if (typeof connectionString === 'string') found.push(...passwordOf(connectionString));
  }
  return [...new Set(found)];
}

function member(value: unknown, key: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** The password of a `postgres://user:password@host/db` URL, as written and decoded. */
function passwordOf(connectionString: string): string[] {
  let password: string;
  try {
    password = new URL(connectionString).password;
  } catch {
    return [];
  }
  if (password === '') return [];
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // A malformed escape: the password as written is still masked.
  }
  return decoded === password ? [password] : [password, decoded];
}
