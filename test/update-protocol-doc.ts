// `npm run docs`: rewrites the generated catalogue in docs/PROTOCOL.md from the protocol schemas.
import { readFileSync, writeFileSync } from 'node:fs';
import { CATALOGUE_BEGIN, CATALOGUE_END, renderCatalogue } from '../src/protocol/catalogue.ts';
import { createRegistry } from '../src/protocol/protocols/index.ts';

const path = 'docs/PROTOCOL.md';
const doc = readFileSync(path, 'utf8');
const start = doc.indexOf(CATALOGUE_BEGIN);
const end = doc.indexOf(CATALOGUE_END);
if (start < 0 || end < 0) throw new Error(`${path}: catalogue markers not found`);
writeFileSync(path, doc.slice(0, start) + renderCatalogue(createRegistry()) + doc.slice(end + CATALOGUE_END.length));
console.log(`${path}: catalogue updated`);
