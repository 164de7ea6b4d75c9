// `npm run spec:schema`: writes spec/event.schema.json from the zod schema (the single source of truth).
// A test fails when the committed file drifts from the schema.
import { writeFileSync } from 'node:fs';
import { auditEventJsonSchema } from '../dist/index.js';

const target = new URL('../spec/event.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(auditEventJsonSchema(), null, 2)}\n`);
console.log('wrote spec/event.schema.json');
