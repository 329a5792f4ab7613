import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE_BEGIN, CATALOGUE_END, renderCatalogue } from '../../src/protocol/catalogue.ts';
import { createRegistry } from '../../src/protocol/protocols/index.ts';

describe('docs/PROTOCOL.md', () => {
  it('holds the catalogue of every protocol and command exactly as the schemas define them (npm run docs)', () => {
    const doc = readFileSync('docs/PROTOCOL.md', 'utf8');
    const start = doc.indexOf(CATALOGUE_BEGIN);
    const end = doc.indexOf(CATALOGUE_END);
    expect(start, 'catalogue markers missing').toBeGreaterThanOrEqual(0);
    expect(doc.slice(start, end + CATALOGUE_END.length)).toBe(renderCatalogue(createRegistry()));
  });

  it('lists each protocol of the registry with its direction', () => {
    const rendered = renderCatalogue(createRegistry());
    for (const spec of createRegistry().all()) {
      expect(rendered).toContain(`### \`${spec.name}\`\n\n${spec.sender} → ${spec.receiver}.`);
    }
  });
});
