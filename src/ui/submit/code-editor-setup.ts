// CodeMirror 6 for the job code editor, in a module of its own: the submit page loads it after
// the page is up (it is most of the page's weight). Colours come from the page's tokens and the
// --code-* properties pf-code-editor sets, so the editor follows light and dark mode.
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import type { Extension } from '@codemirror/state';
import { basicSetup, EditorView } from 'codemirror';

const theme = EditorView.theme({
  '&': {
    height: '100%',
    backgroundColor: 'var(--pf-surface)',
    color: 'var(--pf-text)',
    fontSize: '0.85rem',
  },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'var(--pf-mono)', lineHeight: '1.5' },
  '.cm-content': { caretColor: 'var(--pf-accent)', padding: '8px 0' },
  '.cm-gutters': {
    backgroundColor: 'var(--pf-surface-2)',
    color: 'var(--pf-muted)',
    border: 'none',
    borderRight: '1px solid var(--pf-border)',
  },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--pf-accent) 6%, transparent)' },
  '.cm-activeLineGutter': { backgroundColor: 'color-mix(in srgb, var(--pf-accent) 10%, transparent)' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground': {
    backgroundColor: 'color-mix(in srgb, var(--pf-accent) 22%, transparent) !important',
  },
  '.cm-cursor': { borderLeftColor: 'var(--pf-accent)' },
  '.cm-matchingBracket': { backgroundColor: 'var(--pf-accent-soft)', outline: 'none' },
  '.cm-tooltip': { backgroundColor: 'var(--pf-surface)', border: '1px solid var(--pf-border)' },
});

/** Syntax colours as custom properties (set below per colour scheme). */
const highlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.moduleKeyword, tags.operatorKeyword], color: 'var(--code-keyword)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--code-string)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--code-number)' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: 'var(--pf-muted)', fontStyle: 'italic' },
  { tag: [tags.function(tags.variableName), tags.function(tags.propertyName)], color: 'var(--code-function)' },
  { tag: [tags.definition(tags.variableName), tags.constant(tags.variableName)], color: 'var(--code-definition)' },
  { tag: tags.propertyName, color: 'var(--code-property)' },
]);

export interface EditorOptions {
  readonly parent: Element;
  readonly root: ShadowRoot;
  readonly doc: string;
  readonly label: string;
  /** The language (javascript() from @codemirror/lang-javascript, loaded alongside). */
  readonly language: Extension;
  readonly onEdit: (text: string) => void;
}

export function createEditor({ parent, root, doc, label, language, onEdit }: EditorOptions): EditorView {
  return new EditorView({
    doc,
    parent,
    root,
    extensions: [
      basicSetup, language, theme, syntaxHighlighting(highlight),
      EditorView.contentAttributes.of({ 'aria-label': label }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) onEdit(update.state.doc.toString());
      }),
    ],
  });
}
