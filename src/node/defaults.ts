// Where the Node client looks unless told otherwise: its own folder in the home directory, and
// the authority `npm start` runs.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_HOME = join(homedir(), '.peerfarm');
export const DEFAULT_KEY_FILE = join(DEFAULT_HOME, 'key.json');
export const DEFAULT_STORE = join(DEFAULT_HOME, 'series');
export const DEFAULT_AUTHORITY = 'ws://localhost:8080/ws';
