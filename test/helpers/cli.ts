// Runs the `peerfarm` command as a real child process (src/node/cli/peerfarm.mjs, what `npx
// peerfarm` runs) and collects what it writes; a test may act on each stdout line as it comes.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const PEERFARM_BIN = join(import.meta.dirname, '../../src/node/cli/peerfarm.mjs');

export interface CliRun {
  /** The exit status (null when a signal ended it). */
  readonly code: number | null;
  readonly lines: string[];
  readonly stderr: string;
}

export interface CliOptions {
  /** Called with each stdout line as it arrives; `signal` sends the process a signal (SIGINT: Ctrl-C). */
  readonly onLine?: (line: string, count: number, signal: (name: NodeJS.Signals) => void) => void;
  readonly cwd?: string;
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [PEERFARM_BIN, ...args], { cwd: options.cwd ?? process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    const parts = (partial + text).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      options.onLine?.(line, lines.length, (name) => child.kill(name));
    }
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, lines: partial ? [...lines, partial] : lines, stderr }));
  });
}
