// A JavaScript editor for job code: CodeMirror 6 (basicSetup, JavaScript highlighting) inside this
// element's shadow root, loaded on first use (code-editor-setup.ts); until then the code shows as
// plain text. `value` goes in; every edit comes out as a `pf-code-change` event with the new text.
import type { EditorView } from 'codemirror';
import { LitElement, css, html } from 'lit';

export class PfCodeEditor extends LitElement {
  static override properties = {
    value: { type: String },
    label: { type: String },
    _loaded: { state: true },
  };

  declare value: string;
  /** The editor's accessible name. */
  declare label: string;
  declare _loaded: boolean;

  private view: EditorView | undefined;

  constructor() {
    super();
    this.value = '';
    this.label = 'Job code';
    this._loaded = false;
  }

  static override styles = css`
    :host {
      display: block;
      --code-keyword: #8a3ffc;
      --code-string: #0f7b4f;
      --code-number: #b55400;
      --code-function: #0b62c4;
      --code-definition: #1b2624;
      --code-property: #3d5a80;
    }

    @media (prefers-color-scheme: dark) {
      :host {
        --code-keyword: #c7a0ff;
        --code-string: #7fd4a8;
        --code-number: #f0b070;
        --code-function: #82b8ff;
        --code-definition: #e3ebe8;
        --code-property: #a9c2e0;
      }
    }

    .frame {
      display: flex;
      flex-direction: column;
      height: 100%;
      min-height: 240px;
      border: 1px solid var(--pf-border);
      border-radius: var(--pf-radius-small);
      overflow: hidden;
    }

    .editor {
      flex: 1;
      min-height: 0;
    }

    .loading[hidden] {
      display: none;
    }

    .loading {
      height: 100%;
      margin: 0;
      padding: 8px 12px 8px 44px;
      overflow: hidden;
      color: var(--pf-muted);
      font-family: var(--pf-mono);
      font-size: 0.85rem;
      line-height: 1.5;
    }

    .frame:focus-within {
      outline: 2px solid var(--pf-accent);
      outline-offset: 1px;
    }
  `;

  override render() {
    // The plain text stands in (read-only) while CodeMirror loads; the editor replaces it.
    return html`
      <div class="frame">
        <pre class="loading" aria-busy="true" ?hidden=${this._loaded}>${this.value}</pre>
        <div class="editor"></div>
      </div>
    `;
  }

  protected override firstUpdated(): void {
    void this.mount();
  }

  private async mount(): Promise<void> {
    const [{ createEditor }, { javascript }] = await Promise.all([
      import('./code-editor-setup.ts'), import('@codemirror/lang-javascript'),
    ]);
    if (this.view || !this.isConnected) return;
    const parent = this.renderRoot.querySelector('.editor')!;
    this._loaded = true;
    this.view = createEditor({
      parent, root: this.renderRoot as ShadowRoot, doc: this.value, label: this.label, language: javascript(),
      onEdit: (text) => this.onEdit(text),
    });
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    const view = this.view;
    if (!view || !changed.has('value')) return;
    const current = view.state.doc.toString();
    if (current !== this.value) view.dispatch({ changes: { from: 0, to: current.length, insert: this.value } });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.view?.destroy();
    this.view = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Put back after being removed: the editor was destroyed with it, so build it again.
    if (this.hasUpdated && !this.view) void this.mount();
  }

  private onEdit(text: string): void {
    this.value = text;
    this.dispatchEvent(new CustomEvent('pf-code-change', { detail: { value: text }, bubbles: true, composed: true }));
  }
}

customElements.define('pf-code-editor', PfCodeEditor);

declare global {
  interface HTMLElementTagNameMap {
    'pf-code-editor': PfCodeEditor;
  }
}
