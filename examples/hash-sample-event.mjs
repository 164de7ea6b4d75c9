// Hash the AuditLog.co sample event and print the hash.
// Run: npm run build && node examples/hash-sample-event.mjs
import { readFileSync } from 'node:fs';
import { canonicalJson, hashEvent } from 'auditwire';

const event = JSON.parse(readFileSync(new URL('./auditlog-sample-event.json', import.meta.url), 'utf8'));

console.log(canonicalJson(event)); // keys sorted, no whitespace: the exact bytes that are hashed
console.log(hashEvent(event)); // lowercase hex SHA-256, the same in every language
