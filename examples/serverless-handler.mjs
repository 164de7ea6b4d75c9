// A serverless function (AWS Lambda style) that audits each invocation and flushes before it returns.
// Run: npm run build && node examples/serverless-handler.mjs
// (With AUDITWIRE_ENDPOINT=http://127.0.0.1:4318 it sends to `npx auditwire dev` instead of its own server.)
import { AuditsClient } from 'auditwire';
import { createReferenceServer } from 'auditwire/testing';

// Somewhere to send events: `auditwire dev` if AUDITWIRE_ENDPOINT names it, else a reference server started here.
const reference = process.env.AUDITWIRE_ENDPOINT ? undefined : await createReferenceServer();
const endpoint = process.env.AUDITWIRE_ENDPOINT ?? reference.url;

// Created ONCE, outside the handler: warm invocations reuse it (and its open connections).
const audits = new AuditsClient({ adapter: 'auditlog', endpoint, apiKey: 'consumer:secret' });
let verified = 0;
audits.on('delivered', (receipt) => {
  if (receipt.verified) verified++;
  console.log(`  audit event ${receipt.id}: verified=${receipt.verified}`);
});
audits.on('error', (error) => console.error(`  audit failed: ${error.message}`));

/** The function: an API Gateway request for a document in, a response out. */
export async function handler(request) {
  const documentId = request.pathParameters.id;
  const userId = request.requestContext.authorizer.userId;

  // Queue the event without waiting for it: sendAudit validates now (a bad event rejects at once).
  void audits.sendAudit({
    action: 'document.read',
    crud: 'r',
    actor: { id: userId },
    target: { id: documentId, type: 'document' },
    ip: request.requestContext.identity.sourceIp,
    userAgent: request.headers['user-agent'],
  });

  // Before returning: the platform may freeze the process as soon as the handler returns, and a frozen process
  // sends nothing. flush() resolves once everything queued so far is delivered (or has failed; it never rejects).
  await audits.flush();
  return { statusCode: 200, body: JSON.stringify({ id: documentId }) };
}

// Three invocations, as the platform would make them.
const invocations = ['doc-1', 'doc-2', 'doc-3'].map((id) => ({
  pathParameters: { id },
  headers: { 'user-agent': 'example-browser/1.0' },
  requestContext: { authorizer: { userId: 'user-42' }, identity: { sourceIp: '203.0.113.7' } },
}));
for (const request of invocations) {
  const response = await handler(request);
  console.log(`invoke GET /documents/${request.pathParameters.id} -> ${response.statusCode}; events delivered so far: ${audits.stats().delivered}`);
}

// A real function never shuts down by itself; here the example ends, so close what it opened.
await audits.close();
await reference?.close();

console.log(`${verified}/${invocations.length} audit events delivered and verified`);
if (verified !== invocations.length) process.exitCode = 1;
