// The CI recipe in miniature: pin the hashes of known audit events, so that a change to what your code audits
// fails the build until someone re-pins on purpose (and the diff of the pinned file shows reviewers what changed).
//
// Run:     npx tsup && node examples/ci-hash-verification.mjs [PINNED_FILE]
// Re-pin:  node examples/ci-hash-verification.mjs [PINNED_FILE] --update
// Exit status: 0 when every event still hashes to its pinned value, 1 when any drifted, 2 on bad usage.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditsClient } from 'auditwire';
import { createAuditRecorder, expectAuditHash } from 'auditwire/testing';

const args = process.argv.slice(2);
const update = args.includes('--update');
const files = args.filter((arg) => arg !== '--update');
if (files.length > 1 || files.some((arg) => arg.startsWith('-'))) {
  console.error('usage: node examples/ci-hash-verification.mjs [PINNED_FILE] [--update]');
  process.exit(2);
}
const pinnedFile = files[0] ?? fileURLToPath(new URL('./pinned-audit-hashes.json', import.meta.url));

// 1. The code under test: how the application describes what happened. In your repository you import these from
//    your source; a refactor that changes their output is exactly what this check catches.
function loginAudit({ user, tenant, ip, succeeded }) {
  return {
    action: succeeded ? 'user.login' : 'user.login.failed',
    outcome: succeeded ? 'success' : 'failure',
    tenant: { id: tenant.id, name: tenant.name },
    actor: { id: user.id, name: user.name, email: user.email },
    ip,
    severity: succeeded ? 'Info' : 'Medium',
  };
}

function roleChangeAudit({ admin, member, tenant, role }) {
  return {
    action: 'member.role.update',
    tenant: { id: tenant.id },
    actor: { id: admin.id, name: admin.name },
    target: { id: member.id, type: 'user', name: member.name },
    description: `Changed ${member.name}'s role to ${role}`,
    fields: { role },
  };
}

// 2. Fixed inputs, and a fixed id and time for each event: the hash then depends only on what the code audits.
const acme = { id: 'acme-corp', name: 'Acme Corp' };
const jane = { id: 'user-42', name: 'Jane Smith', email: 'jane.smith@acme.example' };
const zoe = { id: 'user-7', name: 'Zoë Ångström' };
const at = (id, time, event) => ({ ...event, id, time });
const cases = [
  { name: 'login succeeded', event: at('9b2f7c1e-0d4a-4c8e-8f0b-3a1d5e6c7b21', '2026-01-15T09:30:00.000Z', loginAudit({ user: jane, tenant: acme, ip: '203.0.113.9', succeeded: true })) },
  { name: 'login failed', event: at('9b2f7c1e-0d4a-4c8e-8f0b-3a1d5e6c7b22', '2026-01-15T09:31:00.000Z', loginAudit({ user: jane, tenant: acme, ip: '203.0.113.9', succeeded: false })) },
  { name: 'role changed', event: at('9b2f7c1e-0d4a-4c8e-8f0b-3a1d5e6c7b23', '2026-01-15T10:00:00.000Z', roleChangeAudit({ admin: jane, member: zoe, tenant: acme, role: 'billing-admin' })) },
];

// 3. Send them through a real client and the in-memory recorder: what is recorded is exactly the wire form the
//    production adapter (Frontegg here, which carries every member of the event) would send, and that is what is
//    hashed and pinned. `server` is fixed too: AuditLog.co and Retraced put it in each event.
const recorder = createAuditRecorder({ format: 'frontegg' });
const client = new AuditsClient({ adapter: recorder, dispatcher: recorder.dispatcher, server: { id: 'billing-api', version: '1.0.0' } });
const receipts = await client.sendAudits(cases.map((entry) => entry.event));
await client.close();
const current = cases.map((entry, index) => ({ name: entry.name, event: recorder.records[index].event, hash: receipts[index].hash }));

if (update) {
  writeFileSync(pinnedFile, `${JSON.stringify(current, null, 2)}\n`);
  console.log(`pinned ${current.length} audit hashes in ${pinnedFile}`);
  process.exit(0);
}

// 4. Each event as the code builds it today must hash to its pinned value.
const pinned = new Map(JSON.parse(readFileSync(pinnedFile, 'utf8')).map((entry) => [entry.name, entry]));
let drifted = 0;
for (const entry of current) {
  const pin = pinned.get(entry.name);
  try {
    if (pin === undefined) throw new Error(`no pinned hash named "${entry.name}" (re-pin with --update)`);
    expectAuditHash(entry.event, pin.hash);
    console.log(`ok      ${entry.name}  ${entry.hash}`);
  } catch (error) {
    drifted++;
    console.error(`DRIFTED ${entry.name}\n${error.message}`);
    const changed = pin === undefined ? [] : changedPaths(pin.event, entry.event);
    if (pin !== undefined) console.error(`  members that differ from the pinned event: ${changed.join(', ') || 'none (the pinned hash was edited)'}`);
  }
}

// 5. The pinned file itself, checked by the CLI as a CI step would (`npx auditwire verify FILE`): it catches a hand-
//    edited event whose hash was not updated, and any other implementation can run the same check.
const require = createRequire(import.meta.url);
const packageJson = require.resolve('auditwire/package.json');
const cli = join(dirname(packageJson), JSON.parse(readFileSync(packageJson, 'utf8')).bin.auditwire);
const verify = spawnSync(process.execPath, [cli, 'verify', pinnedFile], { stdio: 'inherit' });

const failed = drifted > 0 || verify.status !== 0;
console.log(
  failed
    ? `FAILED: ${drifted} of ${current.length} audit events drifted from their pinned hashes; auditwire verify exited ${verify.status}`
    : `all ${current.length} audit events match their pinned hashes`,
);
process.exit(failed ? 1 : 0);

/** JSON paths whose values differ between two JSON values (enough to point a reviewer at the change). */
function changedPaths(before, after, path = '$') {
  const isObject = (value) => typeof value === 'object' && value !== null;
  if (!isObject(before) || !isObject(after)) return JSON.stringify(before) === JSON.stringify(after) ? [] : [path];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => changedPaths(before[key], after[key], Array.isArray(after) ? `${path}[${key}]` : `${path}.${key}`));
}
