// Plain node:http, no framework: auditRequest watches each response and audits it once it has finished.
// Run: npm run build && node examples/node-http.mjs
// (With AUDITWIRE_ENDPOINT=http://127.0.0.1:4318 it sends to `npx auditwire dev` instead of its own server.)
import { createServer } from 'node:http';
import { AuditsClient, auditRequest } from 'auditwire';
import { createReferenceServer } from 'auditwire/testing';

// 1. Somewhere to send events: `auditwire dev` if AUDITWIRE_ENDPOINT names it, else a reference server started here.
const reference = process.env.AUDITWIRE_ENDPOINT ? undefined : await createReferenceServer();
const endpoint = process.env.AUDITWIRE_ENDPOINT ?? reference.url;

// 2. One client, in the LogZab format (the reference server takes any key).
const audits = new AuditsClient({ adapter: 'logzab', endpoint, apiKey: 'dev-key' });
let verified = 0;
audits.on('delivered', (receipt) => {
  if (receipt.verified) verified++;
  console.log(`  audit event ${receipt.id}: verified=${receipt.verified}`);
});
audits.on('error', (error) => console.error(`  audit failed: ${error.message}`));

// 3. What to audit about a finished request. Returning undefined audits nothing (health checks here).
//    auditRequest adds ip, userAgent and url, and outcome 'failure' when the status is 400 or more.
const audit = auditRequest(audits, (req, res) => {
  if (req.url === '/health') return undefined;
  return {
    action: 'invoice.read',
    crud: 'r',
    actor: { id: 'user-42' }, // in a real app: whoever your authentication says this is
    target: { id: req.url.split('/').pop(), type: 'invoice' },
    fields: { status: String(res.statusCode) },
  };
});

const invoices = new Map([['42', { id: '42', total: '99.00 EUR' }]]);

const server = createServer((req, res) => {
  audit(req, res); // first thing in the handler: it only attaches listeners and returns at once
  if (req.url === '/health') return res.end('ok');
  const invoice = invoices.get(req.url.replace('/invoices/', ''));
  res.writeHead(invoice ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(invoice ?? { error: 'not found' }));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

// 4. Three requests: two are audited (the 404 as a failure), the health check is not.
for (const path of ['/invoices/42', '/invoices/999', '/health']) {
  const response = await fetch(`${base}${path}`);
  console.log(`GET ${path} -> ${response.status} ${await response.text()}`);
}

// 5. Close the HTTP server first (requests in flight finish and are audited), then the audit client.
await new Promise((resolve) => server.close(resolve));
await audits.close();
const expected = 2;
if (reference) {
  const outcomes = reference.events.map((event) => JSON.parse(event.body.desc).outcome);
  console.log(`the server stored ${reference.events.length} events, outcomes: ${outcomes.join(', ')}`);
}
await reference?.close();

console.log(`${verified}/${expected} audit events delivered and verified`);
if (verified !== expected) process.exitCode = 1;
