import { memoryPair } from '../../src/net/memory-link.ts';
import { linkConformance } from './link-conformance.ts';

linkConformance('memory', async () => {
  const [a, b] = memoryPair();
  return { a, b };
});
