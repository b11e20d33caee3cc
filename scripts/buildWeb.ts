// Builds the dashboard (web/ → web/dist): the OpenAPI document from the routes in-process → the
// typed client's schema (web/src/api/schema.d.ts) → a type-check of web/ (an API change that breaks
// the dashboard fails here) → vite build → build-info.json (hashes `quotahit start` checks).
// Runs on `npm install` (prepare) and `npm run build:web`.
import { openapiDocument } from '../src/api/openapiDocument.ts';
import { buildWeb, typecheckWeb } from '../src/api/webBuilder.ts';

const started = Date.now();
const document = await openapiDocument();
await buildWeb({
  document,
  typecheck: typecheckWeb,
  say: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(`dashboard built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
