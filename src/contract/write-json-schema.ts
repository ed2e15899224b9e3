/** `npm run schema:generate`: writes the event's JSON Schema next to the code that owns it. */
import { writeFileSync } from 'node:fs';
import { batchRequestedJsonSchema } from './batch-requested.js';

export const JSON_SCHEMA_PATH = 'schemas/batch-requested.v1.schema.json';

writeFileSync(JSON_SCHEMA_PATH, `${JSON.stringify(batchRequestedJsonSchema(), null, 2)}\n`);
console.log(`wrote ${JSON_SCHEMA_PATH}`);
