// Character codes of the Tcl list syntax, shared by the parser and the stream framer.

export const TAB = 9;
export const LF = 10;
export const CR = 13;
export const SPACE = 32;
export const QUOTE = 34;
export const BACKSLASH = 92;
export const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;

//
// Tcl's list separators are exactly the six ASCII spaces (TclIsSpaceProc); U+00A0 and friends are not.
//
export function isSpace(c: number): boolean {
  return c === SPACE || (c >= TAB && c <= CR);
}
