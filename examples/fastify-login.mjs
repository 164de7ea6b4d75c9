// A Fastify login route audited by a hook: the route decides what happened, the hook sends it once the answer
// has gone out. Run: npm run build && node examples/fastify-login.mjs
// (With AUDITWIRE_ENDPOINT=http://127.0.0.1:4318 it sends to `npx auditwire dev` instead of its own server.)
import Fastify from 'fastify';
import { AuditsClient, auditFastify, loginEvent } from 'auditwire';
import { createReferenceServer } from 'auditwire/testing';

// 1. Somewhere to send events: `auditwire dev` if AUDITWIRE_ENDPOINT names it, else a reference server started here.
const reference = process.env.AUDITWIRE_ENDPOINT ? undefined : await createReferenceServer();
const endpoint = process.env.AUDITWIRE_ENDPOINT ?? reference.url;

// 2. One client for the whole app, in the AuditLog.co format (the reference server takes any consumerId:secret).
const audits = new AuditsClient({ adapter: 'auditlog', endpoint, apiKey: 'consumer:secret' });
let verified = 0;
audits.on('delivered', (receipt) => {
  if (receipt.verified) verified++;
  console.log(`  audit event ${receipt.id} stored as ${receipt.serverId}: verified=${receipt.verified}`);
});
audits.on('error', (error) => console.error(`  audit failed: ${error.message}`));

const users = new Map([['jane@acme.example', { id: 'user-42', email: 'jane@acme.example', password: 'correct horse' }]]);

// 3. The app. Each request gets a `loginAudit` slot; the login route fills it in.
const app = Fastify();
app.decorateRequest('loginAudit', undefined);

// The hook runs on every request to /login, but builds its event only after the response has finished, from
// what the route left in request.loginAudit. It never delays the answer and never throws into it.
const auditLogin = auditFastify(audits, (request) => request.loginAudit);

app.post('/login', { onRequest: auditLogin }, async (request, reply) => {
  const { username, password } = request.body;
  const user = users.get(username);
  const ok = user !== undefined && user.password === password;
  // `request.raw` is Node's own request: loginEvent reads the client's ip, user agent and path from it.
  request.loginAudit = ok
    ? loginEvent({ outcome: 'success', user, req: request.raw })
    : loginEvent({ outcome: 'failure', user, reason: user ? 'bad_password' : 'unknown_user', req: request.raw });
  const { action, outcome, actor } = request.loginAudit;
  console.log(`  ${action} (${outcome}, ${actor ? `actor ${actor.id}` : 'anonymous'})`);
  return reply.code(ok ? 200 : 401).send({ ok });
});

const base = await app.listen({ host: '127.0.0.1', port: 0 });

// 4. Three logins.
const attempts = [
  ['jane@acme.example', 'correct horse', 'right password'],
  ['jane@acme.example', 'hunter2', 'wrong password'],
  ['nobody@example.com', 'guess', 'unknown user'],
];
for (const [username, password, what] of attempts) {
  const response = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  console.log(`POST /login as ${username} (${what}) -> ${response.status} ${await response.text()}`);
}

// 5. Close Fastify first (requests in flight finish and are audited), then the audit client (it delivers the rest).
await app.close();
await audits.close();
await reference?.close();

console.log(`${verified}/${attempts.length} audit events delivered and verified`);
if (verified !== attempts.length) process.exitCode = 1;
