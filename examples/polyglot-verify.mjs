// Cross-language verification: the TypeScript client sends events through all four adapters to the reference
// server, writes each event's wire JSON as sent with its verified hash (client and server agree) to a JSONL file, and the independent Python
// reference implementation (spec/reference/python, standard library only) recomputes every hash from that file.
//
// Run: npx tsup && node examples/polyglot-verify.mjs [OUT.jsonl]
// Needs python3 on PATH (or set PYTHON). Exit status: Python's, so 0 only when every hash matches in both languages.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditsClient } from 'auditwire';
import { createReferenceServer } from 'auditwire/testing';

const temporary = process.argv[2] === undefined ? mkdtempSync(join(tmpdir(), 'auditwire-polyglot-')) : undefined;
const outFile = process.argv[2] ?? join(temporary, 'hashes.jsonl');

// Text that tests the canonical form across languages: non-ASCII, a non-BMP character (UTF-16 key order), escapes.
const events = [
  { id: 'evt-1', time: '2026-02-01T08:00:00.000Z', action: 'user.login', tenant: { id: 'acme', name: 'Acme' }, actor: { id: 'user-42', name: 'Zoë Ångström' }, crud: 'c', ip: '203.0.113.9' },
  {
    id: 'evt-2',
    time: '2026-02-01T08:05:00.000Z',
    action: 'document.share',
    tenant: { id: 'acme' },
    actor: { id: 'user-42', email: 'zoe@acme.example' },
    target: { id: 'doc-7', type: 'document', name: 'Q1 plan "final"\n' },
    crud: 'u',
    fields: { '\u{1F511}key': 'emoji key', 'ﬃ': 'ligature key', audience: 'team:sales; region=EU' },
    tags: ['sharing', 'external'],
  },
  { id: 'evt-3', time: '2026-02-01T08:10:00.000Z', action: 'api_key.delete', tenant: { id: 'acme' }, anonymous: true, crud: 'd', outcome: 'failure', severity: 'High' },
];
// Frontegg's own flat shape passes through unchanged, numbers included: the number formatting of RFC 8785 too.
const fronteggNative = { tenantId: 'acme', severity: 'Info', action: 'Quota raised', user: 'zoe@acme.example', quota: 1e21, ratio: 0.1, retries: 3 };

const server = await createReferenceServer();
const clients = {
  auditlog: { adapter: 'auditlog', apiKey: 'consumer:secret' },
  retraced: { adapter: 'retraced', apiKey: 'token', projectId: 'polyglot' },
  logzab: { adapter: 'logzab', apiKey: 'key' },
  frontegg: { adapter: 'frontegg' },
};
const records = [];
try {
  for (const [format, options] of Object.entries(clients)) {
    // The same events go to every format on purpose, so AuditLog.co's missing slots are known here: no warning.
    const client = new AuditsClient({ ...options, endpoint: server.url, server: { id: 'polyglot', version: '1.0.0' }, verify: 'require', onUnmappedField: 'ignore' });
    if (format === 'frontegg') await client.init('client-id', 'secret');
    const receipts = await client.sendAudits(format === 'frontegg' ? [...events, fronteggNative] : events);
    await client.close();
    // verify: 'require' made every receipt's hash equal the one the server answered; check it covers what was stored.
    const stored = server.events.filter((event) => event.format === format);
    const storedHashes = new Set(stored.map((event) => event.hash));
    if (stored.length !== receipts.length || !receipts.every((receipt) => receipt.verified && storedHashes.has(receipt.hash))) {
      throw new Error(`${format}: the receipts do not match what the server stored`);
    }
    for (const event of stored) {
      // The server's copy is the wire JSON exactly as it arrived (LogZab: without the apiKey member, which the hash
      // does not cover), and its hash was computed by the server's own decoder, not the client's adapter.
      const record = { format, hash: event.hash, event: event.body };
      // The Retraced formula also covers the id the server assigned.
      records.push(format === 'retraced' ? { ...record, retracedId: event.serverId } : record);
    }
  }
} finally {
  await server.close();
}

writeFileSync(outFile, records.map((record) => JSON.stringify(record)).join('\n') + '\n');
console.log(`typescript: ${records.length} events sent through 4 adapters, every receipt verified; wrote ${outFile}`);

const script = fileURLToPath(new URL('./polyglot_verify.py', import.meta.url));
const python = spawnSync(process.env.PYTHON ?? 'python3', [script, outFile], { stdio: 'inherit' });
if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
if (python.error) {
  console.error(`could not run python3: ${python.error.message}`);
  process.exit(1);
}
process.exit(python.status ?? 1);
