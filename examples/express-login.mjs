// An Express 5 login route that audits every attempt: a success, a wrong password, an unknown user.
// Run: npm run build && node examples/express-login.mjs
// (With AUDITWIRE_ENDPOINT=http://127.0.0.1:4318 it sends to `npx auditwire dev` instead of its own server.)
import express from 'express';
import { AuditsClient, loginEvent } from 'auditwire';
import { createReferenceServer } from 'auditwire/testing';

// 1. Somewhere to send events: `auditwire dev` if AUDITWIRE_ENDPOINT names it, else a reference server started
//    here. It speaks the vendors' wire formats and answers with each event's hash.
const reference = process.env.AUDITWIRE_ENDPOINT ? undefined : await createReferenceServer();
const endpoint = process.env.AUDITWIRE_ENDPOINT ?? reference.url;

// 2. One client for the whole app, in the Retraced format (the reference server takes any token).
const audits = new AuditsClient({ adapter: 'retraced', endpoint, projectId: 'example', apiKey: 'dev-token' });
let verified = 0;
audits.on('delivered', (receipt) => {
  if (receipt.verified) verified++;
  console.log(`  audit event ${receipt.id} stored; server hash ${receipt.serverHash}: verified=${receipt.verified}`);
});
audits.on('error', (error) => console.error(`  audit failed: ${error.message}`));

// A stand-in user store. A real app keeps password hashes and checks them with argon2 or bcrypt.
const users = new Map([
  ['jane@acme.example', { id: 'user-42', name: 'Jane Smith', email: 'jane@acme.example', password: 'correct horse', tenant: { id: 'acme', name: 'Acme Corp' } }],
]);

// 3. The login route.
const app = express();
app.use(express.json());
app.post('/login', (req, res) => {
  const { username, password } = req.body;
  const user = users.get(username);
  const ok = user !== undefined && user.password === password;

  // loginEvent copies only id, name and email of `user` (never the password), and for an unknown user records
  // no actor at all (anonymous). `req` adds the client's ip, user agent and the path.
  const event = ok
    ? loginEvent({ outcome: 'success', user, tenant: user.tenant, req })
    : loginEvent({ outcome: 'failure', user, tenant: user?.tenant, reason: user ? 'bad_password' : 'unknown_user', req });

  // Not awaited: the answer never waits for the audit service. A failure reaches audits.on('error').
  void audits.sendAudit(event);
  console.log(`  ${event.action} (${event.outcome}, ${event.actor ? `actor ${event.actor.id}` : 'anonymous'})`);
  res.status(ok ? 200 : 401).json({ ok });
});

const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

// 4. Three logins, as a browser would send them.
const attempts = [
  ['jane@acme.example', 'correct horse', 'right password'],
  ['jane@acme.example', 'hunter2', 'wrong password'],
  ['mallory@evil.example', 'letmein', 'unknown user'],
];
for (const [username, password, what] of attempts) {
  const response = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  console.log(`POST /login as ${username} (${what}) -> ${response.status} ${await response.text()}`);
}

// 5. Shut down in this order: the HTTP server (requests in flight finish), then the audit client (it delivers
//    what is still queued and settles every send).
await new Promise((resolve) => server.close(resolve));
await audits.close();
await reference?.close();

console.log(`${verified}/${attempts.length} audit events delivered and verified`);
if (verified !== attempts.length) process.exitCode = 1;
