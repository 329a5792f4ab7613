import { describe, expect, it } from 'vitest';
import type { SeriesResult } from '../../../src/peer/farm/foreman.ts';
import { resultsCsv, resultsJson, resultsNdjson } from '../../../src/peer/farm/result-files.ts';

/** A finished series: job i done by worker `w<i>` unless its result is undefined (poisoned). */
function series(results: unknown[]): SeriesResult {
  return {
    results,
    jobs: results.map((value, index) => (value === undefined
      ? { index, state: 'poisoned', failures: 3, reassigned: 0 }
      : { index, state: 'done', doneBy: `w${index}`, failures: 0, reassigned: 0 })),
    workers: [],
    paid: 0,
  };
}

describe('result files', () => {
  it('JSON holds results, jobs and workers', () => {
    const result = series([1, 2]);
    expect(JSON.parse(resultsJson(result))).toEqual({ results: [1, 2], jobs: result.jobs, workers: [] });
  });

  it('NDJSON has a line a job, with its worker, and the state of a job given up', () => {
    expect(resultsNdjson(series([{ n: 1 }, undefined, 'three']))).toBe(
      '{"index":0,"value":{"n":1},"worker":"w0"}\n{"index":1,"state":"poisoned"}\n{"index":2,"value":"three","worker":"w2"}\n');
  });

  it('CSV has a column per field in the order first seen, quotes what needs it, and leaves gaps empty', () => {
    expect(resultsCsv(series([{ x: 1, label: 'a, b' }, { x: 2, extra: true }, undefined, { label: 'say "hi"\nthere' }]))).toBe(
      'index,state,worker,x,label,extra\r\n0,done,w0,1,"a, b",\r\n1,done,w1,2,,true\r\n2,poisoned,,,,\r\n3,done,w3,,"say ""hi""\nthere",\r\n');
    expect(resultsCsv(series([1.5, 'two', null]))).toBe('index,state,worker,value\r\n0,done,w0,1.5\r\n1,done,w1,two\r\n2,done,w2,\r\n');
  });

  it('CSV defuses a text cell a spreadsheet would run as a formula, not a negative number', () => {
    expect(resultsCsv(series([{ cell: '=HYPERLINK("http://x")', n: -5 }, { cell: '+1', n: 0 }, { cell: '@SUM(A1)', n: 1 }]))).toBe(
      'index,state,worker,cell,n\r\n0,done,w0,"\'=HYPERLINK(""http://x"")",-5\r\n1,done,w1,\'+1,0\r\n2,done,w2,\'@SUM(A1),1\r\n');
  });

  it('CSV is refused for nested results', () => {
    expect(resultsCsv(series([[1, 2]]))).toBeUndefined();
    expect(resultsCsv(series([{ point: { x: 1 } }]))).toBeUndefined();
  });
});
