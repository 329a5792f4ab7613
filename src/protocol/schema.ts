// Argument schemas: each command of each protocol is declared as data (see protocols/*.ts);
// the TypeScript types of its arguments, the checker and the usage text all derive from it.
import { formatList } from './format.ts';
import { parseList, ParseError } from './parse.ts';
import { CommandError, quote } from './errors.ts';

export type ArgType =
  | 'string' | 'word' | 'int' | 'number' | 'list' | 'dict' | 'id' | 'token' | 'base64' | 'flag';

export interface ArgSpec {
  readonly name: string;
  readonly type: ArgType;
  readonly optional?: boolean;
  /** 'any' collects the remaining words; 'pairs' collects them as key value pairs. */
  readonly variadic?: 'any' | 'pairs';
  readonly maxBytes?: number;
  readonly maxItems?: number;
  readonly min?: number;
  readonly max?: number;
  /**
   * A list or dict the receiver sends on as it came (a relayed `signal` payload): once checked, its
   * value is frozen and keeps the word it was read from, which `encodeArgs` writes instead of
   * encoding the value again. The word parses to the same items, so nothing unchecked goes out.
   */
  readonly forward?: boolean;
}

export interface OptionSpec {
  readonly type: ArgType;
  readonly maxBytes?: number;
  readonly maxItems?: number;
  readonly min?: number;
  readonly max?: number;
}

export interface CommandSpec {
  readonly args: readonly ArgSpec[];
  readonly options?: { readonly [flag: `-${string}`]: OptionSpec };
  /** What the receiver answers with, for the docs: a command name or '' for no reply. */
  readonly reply: string;
  readonly doc: string;
}

export type CommandTable = { readonly [command: string]: CommandSpec };

type ValueOf<T extends ArgType> =
  T extends 'int' | 'number' ? number
  : T extends 'list' ? string[]
  : T extends 'dict' ? Record<string, string>
  : T extends 'flag' ? boolean
  : string;

type ArgValue<A extends ArgSpec> =
  A['variadic'] extends 'pairs' ? Record<string, string>
  : A['variadic'] extends 'any' ? ValueOf<A['type']>[]
  : ValueOf<A['type']>;

type Required<As extends readonly ArgSpec[]> = {
  [A in As[number] as A['optional'] extends true ? never : A['name']]: ArgValue<A>;
};
type Optional<As extends readonly ArgSpec[]> = {
  [A in As[number] as A['optional'] extends true ? A['name'] : never]?: ArgValue<A>;
};
type StripDash<K> = K extends `-${infer Name}` ? Name : never;
type Options<O> = { [K in keyof O as StripDash<K>]?: O[K] extends OptionSpec ? ValueOf<O[K]['type']> : never };

/** The typed arguments of a command, derived from its schema. */
export type ArgsOf<C extends CommandSpec> = Required<C['args']> & Optional<C['args']> & Options<C['options']>;

/** Every frame is capped already; these bound what one argument may hold inside it. */
export const DEFAULT_ARG_MAX_BYTES = 64 * 1024;
export const DEFAULT_LIST_MAX_ITEMS = 1000;

const PEER_ID_PATTERN = /^[0-9a-f]{32}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;
const INT_PATTERN = /^-?[0-9]{1,16}$/;

type Bounds = Pick<ArgSpec, 'maxBytes' | 'maxItems' | 'min' | 'max'>;

/** Converts one word to its typed value or throws a CommandError in Tcl's wording. */
export function checkValue(type: ArgType, word: string, bounds: Bounds, what: string): unknown {
  if (word.length > (bounds.maxBytes ?? DEFAULT_ARG_MAX_BYTES)) {
    throw new CommandError('ARG_TOO_LONG', `${what} is longer than ${bounds.maxBytes ?? DEFAULT_ARG_MAX_BYTES} bytes`);
  }
  switch (type) {
    case 'string': return word;
    case 'word': return expect(word !== '' && !/\s/.test(word), word, 'word', word);
    case 'id': return expect(PEER_ID_PATTERN.test(word), word, 'peer id', word);
    case 'token': return expect(TOKEN_PATTERN.test(word), word, 'token', word);
    case 'base64': return expect(BASE64_PATTERN.test(word) && word.length % 4 === 0, word, 'base64 string', word);
    case 'int': return checkRange(expect(INT_PATTERN.test(word), word, 'integer', Number(word)), bounds, what);
    case 'number': return checkRange(checkNumber(word), bounds, what);
    case 'list': return checkItems(parseWords(word), bounds, what);
    case 'dict': return toDict(checkItems(parseWords(word), bounds, what), what);
    case 'flag': return true;
  }
}

function expect<T>(ok: boolean, word: string, kind: string, value: T): T {
  if (!ok) throw new CommandError('BAD_VALUE', `expected ${kind} but got "${quote(word)}"`);
  return value;
}

function checkNumber(word: string): number {
  const value = Number(word);
  return expect(word.trim() !== '' && Number.isFinite(value), word, 'floating-point number', value);
}

function checkRange(value: number, bounds: Bounds, what: string): number {
  if ((bounds.min !== undefined && value < bounds.min) || (bounds.max !== undefined && value > bounds.max)) {
    throw new CommandError('OUT_OF_RANGE', `${what} must be between ${bounds.min ?? '-inf'} and ${bounds.max ?? 'inf'}, got ${value}`);
  }
  if (!Number.isSafeInteger(value) && Number.isInteger(value)) {
    throw new CommandError('OUT_OF_RANGE', `${what} is too large: ${value}`);
  }
  return value;
}

function parseWords(word: string): string[] {
  try {
    return parseList(word);
  } catch (error) {
    if (error instanceof ParseError) throw new CommandError('BAD_VALUE', error.message);
    throw error;
  }
}

function checkItems(items: string[], bounds: Bounds, what: string): string[] {
  const limit = bounds.maxItems ?? DEFAULT_LIST_MAX_ITEMS;
  if (items.length > limit) throw new CommandError('ARG_TOO_LONG', `${what} has more than ${limit} items`);
  return items;
}

function toDict(items: string[], what: string): Record<string, string> {
  if (items.length % 2 !== 0) throw new CommandError('BAD_VALUE', `missing value to go with key in ${what}`);
  const dict: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i < items.length; i += 2) dict[items[i]!] = items[i + 1]!;
  return dict;
}

/** Tcl's usage line: `solicit ?-job J? ?-token T? to ?payload?`. */
export function usage(command: string, spec: CommandSpec): string {
  const parts = [command];
  for (const [flag, option] of Object.entries(spec.options ?? {})) {
    parts.push(option.type === 'flag' ? `?${flag}?` : `?${flag} ${flag.charAt(1).toUpperCase()}?`);
  }
  for (const arg of spec.args) {
    if (arg.variadic === 'pairs') parts.push(`?${arg.name}Key ${arg.name}Value ...?`);
    else if (arg.variadic === 'any') parts.push(`?${arg.name} ...?`);
    else parts.push(arg.optional ? `?${arg.name}?` : arg.name);
  }
  return parts.join(' ');
}

function wrongArgs(command: string, spec: CommandSpec): CommandError {
  return new CommandError('WRONG_ARGS', `wrong # args: should be "${usage(command, spec)}"`);
}

/**
 * Checks the words after the command name against its schema and returns the typed arguments.
 * The arguments are `words` from index `from` on (a parsed command line passes 1: no copy per frame).
 */
export function checkArgs<C extends CommandSpec>(command: string, spec: C, words: readonly string[], from = 0): ArgsOf<C> {
  const args: Record<string, unknown> = {};
  let index = takeOptions(command, spec, words, from, args);
  for (const arg of spec.args) {
    if (arg.variadic) {
      args[arg.name] = takeVariadic(command, spec, arg, words.slice(index));
      index = words.length;
    } else if (index < words.length) {
      const word = words[index++]!;
      const value = checkValue(arg.type, word, arg, `"${arg.name}"`);
      args[arg.name] = arg.forward ? keepWord(value, word) : value;
    } else if (!arg.optional) {
      throw wrongArgs(command, spec);
    }
  }
  if (index < words.length) throw wrongArgs(command, spec);
  return args as ArgsOf<C>;
}

/** Where a `forward` list or dict keeps the word it was read from (not enumerable: not part of the value). */
const WORD = Symbol('word');

function keepWord(value: unknown, word: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  Object.defineProperty(value, WORD, { value: word });
  return Object.freeze(value);
}

/** Index of the first word after the options. */
function takeOptions(command: string, spec: CommandSpec, words: readonly string[], from: number, args: Record<string, unknown>): number {
  const options = spec.options;
  if (!options) return from;
  let i = from;
  while (i < words.length && words[i]!.startsWith('-')) {
    const flag = words[i++]! as `-${string}`;
    if (flag === '--') break;
    const option = options[flag];
    if (!option) {
      throw new CommandError('BAD_OPTION', `bad option "${quote(flag)}": must be ${oneOf(Object.keys(options))}`);
    }
    if (option.type === 'flag') {
      args[flag.slice(1)] = true;
      continue;
    }
    if (i >= words.length) throw wrongArgs(command, spec);
    args[flag.slice(1)] = checkValue(option.type, words[i++]!, option, `"${flag}"`);
  }
  return i;
}

function takeVariadic(command: string, spec: CommandSpec, arg: ArgSpec, words: readonly string[]): unknown {
  const limit = arg.maxItems ?? DEFAULT_LIST_MAX_ITEMS;
  if (words.length > limit) throw new CommandError('ARG_TOO_LONG', `"${arg.name}" has more than ${limit} items`);
  if (arg.variadic === 'any') return words.map((word) => checkValue(arg.type, word, arg, `"${arg.name}"`));
  if (words.length % 2 !== 0) throw wrongArgs(command, spec);
  return toDict(words.map((word) => checkValue(arg.type, word, arg, `"${arg.name}"`) as string), `"${arg.name}"`);
}

/** Tcl's enumeration: `a`, `a or b`, `a, b, or c`. */
export function oneOf(names: readonly string[]): string {
  const sorted = [...names].sort();
  if (sorted.length <= 1) return sorted.join('');
  if (sorted.length === 2) return `${sorted[0]} or ${sorted[1]}`;
  return `${sorted.slice(0, -1).join(', ')}, or ${sorted[sorted.length - 1]}`;
}

/** The inverse of checkArgs: typed arguments back to the words of a command line. */
export function encodeArgs<C extends CommandSpec>(command: string, spec: C, args: ArgsOf<C>): string[] {
  const values = args as Record<string, unknown>;
  const words = [command];
  if (spec.options) encodeOptions(spec.options, values, words);
  const optionsEnd = words.length;
  for (const arg of spec.args) {
    const value = values[arg.name];
    if (value === undefined) {
      if (!arg.optional && !arg.variadic) throw new Error(`encodeArgs: "${command}" needs argument "${arg.name}"`);
      continue;
    }
    if (arg.variadic === 'pairs') words.push(...Object.entries(value as Record<string, string>).flat());
    else if (arg.variadic === 'any') words.push(...(value as unknown[]).map(encodeValue));
    else words.push(encodeValue(value));
  }
  // A first positional word that starts with "-" would be read as an option.
  if (spec.options && words[optionsEnd]?.startsWith('-')) words.splice(optionsEnd, 0, '--');
  return words;
}

function encodeOptions(options: NonNullable<CommandSpec['options']>, values: Record<string, unknown>, words: string[]): void {
  for (const [flag, option] of Object.entries(options)) {
    const value = values[flag.slice(1)];
    if (value === undefined || value === false) continue;
    words.push(flag);
    if (option.type !== 'flag') words.push(encodeValue(value));
  }
}

function encodeValue(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  const word = (value as { [WORD]?: string })[WORD];
  if (word !== undefined) return word;
  if (Array.isArray(value)) return formatList(value.map(String));
  return formatList(Object.entries(value).flat().map(String));
}
