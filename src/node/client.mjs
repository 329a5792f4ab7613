// `import { connect } from 'peer-farm/client'` in plain Node: the library is TypeScript, loaded
// through tsx (a runtime dependency), scoped to this import so the caller's own loading is untouched.
import { tsImport } from 'tsx/esm/api';

const client = await tsImport('./client.ts', import.meta.url);

export const connect = client.connect;
export const createClient = client.createClient;
export const waitForWorkers = client.waitForWorkers;
