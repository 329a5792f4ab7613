import { describe, expect, it } from 'vitest';
import { inputsArray, jobInputs, MAX_INPUTS } from '../../../src/peer/farm/input-spec.ts';
import { checkSubmit } from '../../../src/peer/farm/submit-request.ts';

const CODE = 'export default (x) => x;';

describe('input specs', () => {
  it('passes an array through as it is', () => {
    const list = [1, 'two', { three: 3 }];
    expect(jobInputs(list, undefined)).toBe(list);
  });

  it('reads a range by index, end included when a step lands on it, without drift', () => {
    expect(inputsArray(jobInputs({ start: 1, end: 5 }, undefined))).toEqual([1, 2, 3, 4, 5]);
    expect(inputsArray(jobInputs({ start: 0, end: 9, step: 4 }, undefined))).toEqual([0, 4, 8]);
    expect(inputsArray(jobInputs({ start: 3, end: 0, step: -1 }, undefined))).toEqual([3, 2, 1, 0]);
    expect(jobInputs({ start: 0, end: 0.3, step: 0.1 }, undefined).length).toBe(4);
    const big = jobInputs({ start: 0, end: 999_999, step: 1 }, undefined);
    expect(big.length).toBe(1_000_000);
    expect(big.at(999_999)).toBe(999_999);
    expect(jobInputs({ start: 0, end: 1, step: 1e-6 }, undefined).at(1_000_000)).toBeCloseTo(1, 12);
  });

  it('reads a product like nested loops, the last name fastest, keys in the order given', () => {
    const inputs = jobInputs({ product: { x: { start: 0, end: 1 }, y: ['a', 'b', 'c'] } }, undefined);
    expect(inputs.length).toBe(6);
    expect(inputsArray(inputs)).toEqual([
      { x: 0, y: 'a' }, { x: 0, y: 'b' }, { x: 0, y: 'c' },
      { x: 1, y: 'a' }, { x: 1, y: 'b' }, { x: 1, y: 'c' },
    ]);
    expect(Object.keys(inputs.at(4) as object)).toEqual(['x', 'y']);
  });

  it('groups k consecutive inputs into one job, the last job taking what is left', () => {
    const jobs = jobInputs({ start: 1, end: 10 }, 4);
    expect(jobs.length).toBe(3);
    expect(inputsArray(jobs)).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
    expect(jobInputs({ start: 0, end: 999_999 }, 1000).length).toBe(1000);
    expect(jobInputs([1, 2, 3], 1)).toEqual([1, 2, 3]);
  });

  it('never builds the whole sweep: a billion-input product costs only the jobs read', () => {
    const inputs = jobInputs({ product: { a: { start: 0, end: 999 }, b: { start: 0, end: 999 }, c: { start: 0, end: 999 } } }, 10_000);
    expect(inputs.length).toBe(100_000);
    expect((inputs.at(99_999) as unknown[]).at(-1)).toEqual({ a: 999, b: 999, c: 999 });
  });

  it('refuses what describes nothing or too much, saying why', () => {
    const refusal = (spec: unknown, group?: number) => {
      try {
        jobInputs(spec as never, group);
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal([])).toBe('submit: inputs must not be empty');
    expect(refusal('1..10')).toMatch(/^submit: inputs must be a JSON array, a range/);
    expect(refusal({ start: 0, end: 10, step: 0 })).toBe('submit: inputs.step must not be 0');
    expect(refusal({ start: 10, end: 0 })).toBe('submit: inputs is empty: from 10 a step of 1 never reaches 0');
    expect(refusal({ start: 0, end: Infinity })).toBe('submit: inputs.end must be a finite number, got null');
    expect(refusal({ start: 0, end: 5, stop: 3 })).toBe('submit: inputs has unknown field "stop": a range is {start, end, step}');
    expect(refusal({ start: 0, end: MAX_INPUTS })).toMatch(/^submit: inputs has 2147483648 inputs; at most 2147483647$/);
    expect(refusal({ product: {} })).toBe('submit: inputs.product needs at least one named range or list');
    expect(refusal({ product: { x: 3 } })).toBe('submit: inputs.product.x must be a range {start, end, step} or a JSON array');
    expect(refusal({ product: { x: [] } })).toBe('submit: inputs.product.x must not be empty');
    expect(refusal([1], 0)).toBe('submit: group must be a whole number from 1 to 100000, got 0');
    expect(refusal([1], 2.5)).toBe('submit: group must be a whole number from 1 to 100000, got 2.5');
  });

  it('bounds a series by its jobs after grouping, and says how to fit a big sweep', () => {
    expect(() => checkSubmit({ code: CODE, inputs: { start: 1, end: 1_000_000 } }))
      .toThrow('submit: at most 100000 jobs per series, got 1000000 (give several inputs to each job with `group: k`)');
    expect(checkSubmit({ code: CODE, inputs: { start: 1, end: 1_000_000 }, group: 1000 }).inputs.length).toBe(1000);
  });
});
