// auditwire as a drop-in for Frontegg's AuditsClient: the Frontegg SDK's own code, unchanged but for the import.
// Run: npm run build && node examples/frontegg-drop-in.mjs
// (With AUDITWIRE_ENDPOINT=http://127.0.0.1:4318 it sends to `npx auditwire dev` instead of its own server.)
import { AuditsClient } from 'auditwire'; // was: import { AuditsClient } from '@frontegg/client';
import { createReferenceServer } from 'auditwire/testing';

// Setup for the example only: point Frontegg's gateway at a local reference server (or `auditwire dev`), through
// the environment variable Frontegg's SDK reads, before the client is made. In production it stays unset (or names
// your region, e.g. https://api.eu.frontegg.com).
const reference = process.env.AUDITWIRE_ENDPOINT ? undefined : await createReferenceServer();
process.env.FRONTEGG_API_GATEWAY_URL = process.env.AUDITWIRE_ENDPOINT ?? reference.url;

// ---- Frontegg's code, as in its docs ----
const audits = new AuditsClient();
await audits.init('CLIENT-ID', 'API-KEY');
const receipt = await audits.sendAudit({
  tenantId: 'my-tenant-id',
  user: 'info@frontegg.com',
  resource: 'Portal',
  action: 'Login',
  severity: 'Medium',
  ip: '1.2.3.4',
});
// ---- end of Frontegg's code ----

// What auditwire adds: a receipt whose hash the server confirmed, and a close() that delivers what is queued.
console.log(`sent Frontegg audit ${receipt.id} through the ${receipt.adapter} adapter in ${receipt.attempts} attempt(s)`);
console.log(`hash ${receipt.hash}, server hash ${receipt.serverHash}: verified=${receipt.verified}`);
if (reference) console.log(`the server stored it unchanged: ${JSON.stringify(reference.events.at(-1).body)}`);
await audits.close();
await reference?.close();

console.log(`${receipt.verified ? 1 : 0}/1 audit events delivered and verified`);
if (!receipt.verified) process.exitCode = 1;
