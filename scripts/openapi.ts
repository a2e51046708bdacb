/** Writes functions/api/openapi.json from the route table (`npm run openapi`); a test checks it is current. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApi } from '../functions/api/openapi.ts';
import { routes } from '../functions/api/routes.ts';

export const openApiFile = fileURLToPath(new URL('../functions/api/openapi.json', import.meta.url));
writeFileSync(openApiFile, JSON.stringify(buildOpenApi(routes), null, 2) + '\n');
console.log(`wrote ${openApiFile}`);
