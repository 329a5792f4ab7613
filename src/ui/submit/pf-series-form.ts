// The Job series card of the submit page: pick a built-in example or write code, give the inputs
// (a JSON array or a sweep), an optional price limit and the redundancy, then Run. The draft lives
// here; Run sends a `pf-run` event with a checked request (bad inputs stay here as an inline error).
// The page says whether a series is under way and who would be hired, and gives the balance and the
// highest price it may hire at, so Run can warn (not refuse) when the series could cost more.
import { LitElement, css, html, nothing } from 'lit';
import { MAX_REDUNDANCY } from '../../peer/farm/submit-request.ts';
import { count, points } from '../shared/format.ts';
import { baseStyles, buttonStyles, cardStyles, fieldStyles } from '../shared/styles.ts';
import { EXAMPLES, exampleById, inputsText, type ExampleId } from './examples.ts';
import { readInputs, type InputsDraft } from './pf-inputs-editor.ts';
import './pf-code-editor.ts';
import './pf-inputs-editor.ts';

/** What `pf-run` carries: the request for ClientRole.submit (without `workers`) and the example it came from. */
export interface RunDetail {
  readonly request: { code: string; inputs: unknown[]; redundancy: number; maxPrice?: number; args?: unknown };
  readonly example: ExampleId | undefined;
}

const FIRST_EXAMPLE = EXAMPLES[0]!;

export class PfSeriesForm extends LitElement {
  static override properties = {
    busy: { type: Boolean },
    blocked: { type: String },
    hireNote: { type: String, attribute: 'hire-note' },
    error: { type: String },
    balance: { type: Number },
    price: { type: Number },
    _example: { state: true },
    _code: { state: true },
    _inputs: { state: true },
    _maxPrice: { state: true },
    _redundancy: { state: true },
    _formError: { state: true },
  };

  /** A series is being bid for or farmed: Run waits. */
  declare busy: boolean;
  /** Why Run cannot be pressed now (e.g. not joined yet); empty when it can. */
  declare blocked: string;
  /** Who Run would hire, in a sentence. */
  declare hireNote: string;
  /** A refusal from the page (e.g. no bid selected). */
  declare error: string;
  /** The client's spendable points; undefined until the authority said. */
  declare balance: number | undefined;
  /** The highest price per job among the bids Run would hire from; undefined before any bids. */
  declare price: number | undefined;
  declare _example: ExampleId | undefined;
  declare _code: string;
  declare _inputs: InputsDraft;
  declare _maxPrice: string;
  declare _redundancy: number;
  declare _formError: string;

  /** The inputs counted for the last draft seen: a sweep may make many, so they are not counted per render. */
  private counted: { draft: InputsDraft; jobs: number | undefined } | undefined;

  constructor() {
    super();
    this.busy = false;
    this.blocked = '';
    this.hireNote = '';
    this.error = '';
    this._example = FIRST_EXAMPLE.id;
    this._code = FIRST_EXAMPLE.code;
    this._inputs = { mode: 'json', text: inputsText(FIRST_EXAMPLE.inputs()), from: '1', to: '100', step: '1' };
    this._maxPrice = '';
    this._redundancy = 1;
    this._formError = '';
  }

  static override styles = [baseStyles, cardStyles, buttonStyles, fieldStyles, css`
    .card-head {
      flex-wrap: wrap;
    }

    .pick {
      display: flex;
      align-items: center;
      gap: 8px;
    }

    .pick label {
      margin: 0;
      white-space: nowrap;
    }

    .pick select {
      width: auto;
      min-width: 190px;
    }

    .lead {
      max-width: 78ch;
      margin: -6px 0 16px;
      color: var(--pf-muted);
    }

    .code {
      display: grid;
      gap: 5px;
      min-width: 0;
    }

    .code .label {
      margin: 0;
    }

    pf-code-editor {
      min-width: 0;
      height: 360px;
    }

    .settings {
      display: grid;
      grid-template-columns: minmax(0, 2fr) minmax(220px, 1fr);
      gap: 18px 22px;
      margin-top: 18px;
    }

    .limits {
      display: grid;
      align-content: start;
      gap: 14px;
    }

    .footer {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: space-between;
      gap: 12px 18px;
      margin-top: 18px;
      padding-top: 16px;
      border-top: 1px solid var(--pf-border);
    }

    .note {
      color: var(--pf-muted);
      font-size: 0.9rem;
      max-width: 62ch;
    }

    .actions {
      display: flex;
      gap: 10px;
      margin-left: auto;
    }

    .notice-error {
      margin-top: 14px;
    }

    .warn {
      display: flex;
      gap: 10px;
      align-items: flex-start;
      margin-top: 14px;
      padding: 10px 14px;
      border-radius: var(--pf-radius-small);
      border: 1px solid color-mix(in srgb, var(--pf-warn) 35%, transparent);
      background: var(--pf-warn-soft);
      color: var(--pf-text);
    }

    .warn strong {
      color: var(--pf-warn);
    }

    @media (max-width: 760px) {
      .settings {
        grid-template-columns: minmax(0, 1fr);
      }

      pf-code-editor {
        height: 300px;
      }
    }
  `];

  override render() {
    const example = this._example ? exampleById(this._example) : undefined;
    const error = this._formError || this.error;
    return html`
      <section class="card" aria-labelledby="title">
        <div class="card-head">
          <h2 id="title">Job series</h2>
          <div class="pick">
            <label for="example">Example</label>
            <select id="example" @change=${this._onExample}>
              <option value="" ?selected=${!example}>Your own code</option>
              ${EXAMPLES.map((item) => html`<option value=${item.id} ?selected=${item.id === this._example}>${item.label}</option>`)}
            </select>
          </div>
        </div>
        <p class="lead">${example?.summary ?? 'A job is a module exporting default (input, ctx) => result; it runs once per input in a sandboxed worker with no network. Call ctx.progress(fraction) to report progress.'}</p>
        <div class="code">
          <span class="label">Code</span>
          <pf-code-editor .value=${this._code} label="Job code" @pf-code-change=${this._onCode}></pf-code-editor>
        </div>
        <div class="settings">
          <pf-inputs-editor .draft=${this._inputs} @pf-inputs-change=${this._onInputs}></pf-inputs-editor>
          <div class="limits">
            <div>
              <label for="max-price">Price limit</label>
              <input id="max-price" type="number" min="0" step="1" placeholder="any" .value=${this._maxPrice}
                @input=${this._onMaxPrice} />
              <p class="hint">Most points per job; empty for any price</p>
            </div>
            <div>
              <label for="redundancy">Redundancy</label>
              <input id="redundancy" type="number" min="1" max=${MAX_REDUNDANCY} step="1" .value=${String(this._redundancy)}
                @input=${this._onRedundancy} />
              <p class="hint">Workers per job (1 to ${MAX_REDUNDANCY}); the majority result wins</p>
            </div>
          </div>
        </div>
        <div class="footer">
          <p class="note" aria-live="polite">${this.blocked || this.hireNote}</p>
          <div class="actions">
            <button class="primary" ?disabled=${this.busy || this.blocked !== ''} aria-busy=${this.busy ? 'true' : 'false'}
              @click=${this._onRun}>${this.busy ? 'Running…' : 'Run'}</button>
          </div>
        </div>
        ${this.renderCostWarning()}
        ${error ? html`<p class="notice-error" role="alert"><span>${error}</span></p>` : nothing}
      </section>
    `;
  }

  /** Shown, not enforced: the series stops by itself when the points run out (insufficient_points). */
  private renderCostWarning() {
    const cost = this.maxCost();
    if (cost === undefined || this.balance === undefined || cost.total <= this.balance) return nothing;
    return html`
      <p class="warn" role="status">
        <span><strong>This series may cost up to ${points(cost.total)}</strong>
          (${count(cost.jobs)} ${cost.jobs === 1 ? 'input' : 'inputs'}${cost.redundancy > 1 ? ` × redundancy ${cost.redundancy}` : ''}
          × ${points(cost.price)} per job),
          more than your ${points(this.balance)}. You can still run it: it stops when your points run out.</span>
      </p>
    `;
  }

  /** Inputs × redundancy × the highest price Run may pay (capped by the price limit); undefined when unknown. */
  private maxCost(): { total: number; jobs: number; redundancy: number; price: number } | undefined {
    if (this.price === undefined) return undefined;
    if (this.counted?.draft !== this._inputs) {
      const reading = readInputs(this._inputs);
      this.counted = { draft: this._inputs, jobs: reading.inputs?.length };
    }
    const jobs = this.counted.jobs;
    const redundancy = this._redundancy;
    if (jobs === undefined || !Number.isInteger(redundancy) || redundancy < 1) return undefined;
    const limit = this._maxPrice.trim() === '' ? Number.POSITIVE_INFINITY : Number(this._maxPrice);
    const price = Number.isFinite(limit) && limit >= 0 ? Math.min(this.price, limit) : this.price;
    return { total: jobs * redundancy * price, jobs, redundancy, price };
  }

  private _onExample(event: Event): void {
    const example = exampleById((event.target as HTMLSelectElement).value);
    this._example = example?.id;
    this._formError = '';
    if (!example) return;
    this._code = example.code;
    this._inputs = { ...this._inputs, mode: 'json', text: inputsText(example.inputs()) };
  }

  private _onCode(event: CustomEvent<{ value: string }>): void {
    this._code = event.detail.value;
    this._formError = '';
  }

  private _onInputs(event: CustomEvent<{ draft: InputsDraft }>): void {
    this._inputs = event.detail.draft;
    this._formError = '';
  }

  private _onMaxPrice(event: Event): void {
    this._maxPrice = (event.target as HTMLInputElement).value;
    this._formError = '';
  }

  private _onRedundancy(event: Event): void {
    this._redundancy = Number((event.target as HTMLInputElement).value);
    this._formError = '';
  }

  /** The request the draft makes, or why it makes none. */
  private request(): RunDetail['request'] | string {
    if (!/export\s+default/.test(this._code)) return 'The code must be a module with export default (input, ctx) => result.';
    const reading = readInputs(this._inputs);
    if (reading.error !== undefined) return `Inputs: ${reading.error}`;
    const redundancy = this._redundancy;
    if (!Number.isInteger(redundancy) || redundancy < 1 || redundancy > MAX_REDUNDANCY) {
      return `Redundancy must be a whole number from 1 to ${MAX_REDUNDANCY}.`;
    }
    const maxPrice = this._maxPrice.trim() === '' ? undefined : Number(this._maxPrice);
    if (maxPrice !== undefined && !(maxPrice >= 0)) return 'The price limit must be a number of points, 0 or more (or empty for any).';
    // An example's args (the Collatz example's .wasm) go with its code, edited or not.
    const args = this._example ? exampleById(this._example)?.args : undefined;
    return { code: this._code, inputs: reading.inputs, redundancy, ...(maxPrice !== undefined && { maxPrice }), ...(args !== undefined && { args }) };
  }

  private _onRun(): void {
    const request = this.request();
    if (typeof request === 'string') {
      this._formError = request;
      return;
    }
    this._formError = '';
    const detail: RunDetail = { request, example: this._example };
    this.dispatchEvent(new CustomEvent('pf-run', { detail, bubbles: true, composed: true }));
  }
}

customElements.define('pf-series-form', PfSeriesForm);

declare global {
  interface HTMLElementTagNameMap {
    'pf-series-form': PfSeriesForm;
  }
}
