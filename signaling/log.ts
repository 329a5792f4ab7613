// The authority's one logger: JSON lines (pino) on stdout, at the configured level. Internal
// errors go here with their stack; clients only ever see a one-line reason.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type Log = Logger;

/** A logger at `level`, writing to `destination` (stdout unless a test hands in a stream). */
export function createLog(level: LogLevel, destination?: DestinationStream): Log {
  const options = { level, base: { service: 'peerfarm-authority' } };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that writes nothing, for code run without a configured one. */
export const silentLog: Log = pino({ level: 'silent' });
