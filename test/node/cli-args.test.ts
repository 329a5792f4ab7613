// `peerfarm`'s command line: flags become a typed command, ranges become input specs, and every
// mistake is one line that says what is wrong.
import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../src/node/cli/args.ts';
import { rangeInputs } from '../../src/node/cli/request.ts';

describe('parseCommand', () => {
  it('reads run with its inputs, series and connection flags', () => {
    expect(parseCommand(['run', 'job.mjs', '--range', 'a=0:9', '--range', 'b=1:2', '--redundancy', '3', '--max-price', '1.5',
      '--authority', 'ws://127.0.0.1:8080/ws', '--key', 'k.json', '--store', 'dir'])).toEqual({
      command: 'run', job: 'job.mjs', inputs: { ranges: ['a=0:9', 'b=1:2'] }, args: undefined, group: undefined, redundancy: 3, maxPrice: 1.5,
      authority: ['ws://127.0.0.1:8080/ws'], keyFile: 'k.json', store: 'dir',
    });
  });

  it('shows help for --help, help or nothing', () => {
    for (const argv of [['--help'], ['help'], [], ['run', '-h']]) expect(parseCommand(argv)).toEqual({ command: 'help' });
  });

  it.each([
    [['run', 'job.mjs'], 'run needs its inputs: either --inputs FILE or --range SPEC'],
    [['run', 'job.mjs', '--inputs', 'a.json', '--range', '0:9'], 'run needs its inputs: either --inputs FILE or --range SPEC'],
    [['run', '--range', '0:9'], 'run takes one job module: peerfarm run JOB.mjs --inputs FILE'],
    [['run', 'job.mjs', '--range', '0:9', '--redundancy', '0'], '--redundancy must be a whole number from 1, got "0"'],
    [['run', 'job.mjs', '--range', '0:9', '--max-price=-1'], '--max-price must be a number of points, 0 or more, got "-1"'],
    [['status', '--range', '0:9'], '--range is for "run", not "status"'],
    [['resume'], 'resume takes one series id (see "peerfarm status")'],
    [['frob'], 'unknown command "frob": the commands are run, resume, status and balance'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(new UsageError(message));
  });

  it('refuses an unknown flag in one line', () => {
    expect(() => parseCommand(['run', 'job.mjs', '--range', '0:9', '--fast'])).toThrow(/^Unknown option '--fast'/);
  });
});

describe('rangeInputs', () => {
  it('makes one unnamed range a range of numbers, and named ones a product', () => {
    expect(rangeInputs(['0:99:0.5'])).toEqual({ start: 0, end: 99, step: 0.5 });
    expect(rangeInputs(['x=-1:1', 'y=0:10:5'])).toEqual({ product: { x: { start: -1, end: 1 }, y: { start: 0, end: 10, step: 5 } } });
  });

  it.each([
    [['0:9', 'x=0:1'], 'an unnamed --range stands alone; name each range (x=0:9) to combine several'],
    [['x=0:1', 'x=2:3'], '--range names "x" twice'],
    [['0..9'], '--range "0..9" is not START:END[:STEP] or NAME=START:END[:STEP]'],
  ])('refuses %j', (specs, message) => {
    expect(() => rangeInputs(specs)).toThrow(new UsageError(message));
  });
});
