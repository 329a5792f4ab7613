// The inputs of a job series, either typed as a JSON array or generated as a parameter sweep
// (from, to, step → numbers). The form owns the values: they come in as properties and every edit
// goes out as a `pf-inputs-change` event. `readInputs` turns them into inputs or a readable error.
import { LitElement, css, html } from 'lit';
import { MAX_SERIES_JOBS } from '../../peer/farm/submit-request.ts';
import { count, plural } from '../shared/format.ts';
import { baseStyles, fieldStyles } from '../shared/styles.ts';

export type InputMode = 'json' | 'sweep';

export interface InputsDraft {
  readonly mode: InputMode;
  readonly text: string;
  readonly from: string;
  readonly to: string;
  readonly step: string;
}

export type InputsReading = { inputs: unknown[]; error?: undefined } | { inputs?: undefined; error: string };

/** Decimals of a typed number, so a sweep of 0.1 steps gives 0.3 and not 0.30000000000000004. */
function decimals(text: string): number {
  const match = /\.(\d+)/.exec(text.trim());
  return Math.min(12, match?.[1]?.length ?? 0);
}

function readSweep(draft: InputsDraft): InputsReading {
  const [from, to, step] = [draft.from, draft.to, draft.step].map((text) => (text.trim() === '' ? Number.NaN : Number(text)));
  if (!Number.isFinite(from!) || !Number.isFinite(to!) || !Number.isFinite(step!)) return { error: 'From, to and step must all be numbers.' };
  if (step! <= 0) return { error: 'Step must be more than 0.' };
  if (to! < from!) return { error: 'To must not be less than from.' };
  const jobs = Math.floor((to! - from!) / step! + 1e-9) + 1;
  if (jobs > MAX_SERIES_JOBS) return { error: `That sweep makes ${count(jobs)} inputs; a series takes at most ${count(MAX_SERIES_JOBS)}.` };
  const places = Math.max(decimals(draft.from), decimals(draft.step));
  return { inputs: Array.from({ length: jobs }, (_, i) => Number((from! + i * step!).toFixed(places))) };
}

function readJson(text: string): InputsReading {
  if (text.trim() === '') return { error: 'Type a JSON array of inputs, one per job, e.g. [1, 2, 3].' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `Not valid JSON: ${(error as Error).message}.` };
  }
  if (!Array.isArray(value)) return { error: 'The inputs must be a JSON array: one element per job.' };
  if (value.length === 0) return { error: 'The array is empty: a series needs at least one input.' };
  if (value.length > MAX_SERIES_JOBS) return { error: `${count(value.length)} inputs; a series takes at most ${count(MAX_SERIES_JOBS)}.` };
  return { inputs: value };
}

/** The inputs the draft describes, or why it describes none. Never throws. */
export function readInputs(draft: InputsDraft): InputsReading {
  return draft.mode === 'sweep' ? readSweep(draft) : readJson(draft.text);
}

export class PfInputsEditor extends LitElement {
  static override properties = {
    draft: { attribute: false },
    disabled: { type: Boolean },
  };

  declare draft: InputsDraft;
  declare disabled: boolean;

  constructor() {
    super();
    this.draft = { mode: 'json', text: '[]', from: '1', to: '100', step: '1' };
    this.disabled = false;
  }

  static override styles = [baseStyles, fieldStyles, css`
    .head {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: space-between;
      gap: 6px 12px;
      margin-bottom: 6px;
    }

    .head .label {
      margin: 0;
    }

    .segments {
      display: inline-flex;
      gap: 2px;
      padding: 3px;
      border-radius: 9px;
      background: var(--pf-surface-2);
    }

    .segments button {
      font: inherit;
      font-size: 0.84rem;
      padding: 2px 11px;
      border: none;
      border-radius: 6px;
      background: transparent;
      color: var(--pf-muted);
      cursor: pointer;
    }

    .segments button[aria-pressed='true'] {
      background: var(--pf-surface);
      color: var(--pf-text);
      box-shadow: var(--pf-shadow);
    }

    textarea {
      height: 150px;
      white-space: pre;
      overflow-wrap: normal;
      overflow-x: auto;
    }

    .sweep {
      display: grid;
      grid-template-columns: repeat(3, minmax(0, 1fr));
      gap: 10px;
    }

    .status {
      margin-top: 6px;
      font-size: 0.84rem;
      font-variant-numeric: tabular-nums;
    }

    .status.ok {
      color: var(--pf-muted);
    }

    .status.bad {
      color: var(--pf-danger);
    }
  `];

  override render() {
    const reading = readInputs(this.draft);
    return html`
      <div class="head">
        <span class="label" id="inputs-label">Inputs</span>
        <div class="segments" role="group" aria-label="How to give the inputs">
          ${this.modeButton('json', 'JSON array')}
          ${this.modeButton('sweep', 'Sweep')}
        </div>
      </div>
      ${this.draft.mode === 'json' ? this.renderJson(reading) : this.renderSweep(reading)}
      <p class="status ${reading.error ? 'bad' : 'ok'}" id="inputs-status" role=${reading.error ? 'alert' : 'status'}>
        ${reading.error ?? `${plural(reading.inputs.length, 'input')}: ${plural(reading.inputs.length, 'job')} in the series.`}
      </p>
    `;
  }

  private modeButton(mode: InputMode, label: string) {
    return html`<button type="button" aria-pressed=${this.draft.mode === mode ? 'true' : 'false'} ?disabled=${this.disabled}
      @click=${() => this.change({ mode })}>${label}</button>`;
  }

  private renderJson(reading: InputsReading) {
    return html`<textarea spellcheck="false" aria-labelledby="inputs-label" aria-describedby="inputs-status"
      aria-invalid=${reading.error ? 'true' : 'false'} .value=${this.draft.text} ?disabled=${this.disabled}
      @input=${(event: Event) => this.change({ text: (event.target as HTMLTextAreaElement).value })}></textarea>`;
  }

  private renderSweep(reading: InputsReading) {
    const field = (key: 'from' | 'to' | 'step', label: string) => html`
      <div>
        <label for="sweep-${key}">${label}</label>
        <input id="sweep-${key}" type="number" step="any" .value=${this.draft[key]} ?disabled=${this.disabled}
          aria-invalid=${reading.error ? 'true' : 'false'} aria-describedby="inputs-status"
          @input=${(event: Event) => this.change({ [key]: (event.target as HTMLInputElement).value })} />
      </div>
    `;
    return html`<div class="sweep">${field('from', 'From')}${field('to', 'To (inclusive)')}${field('step', 'Step')}</div>`;
  }

  private change(patch: Partial<InputsDraft>): void {
    this.draft = { ...this.draft, ...patch };
    this.dispatchEvent(new CustomEvent('pf-inputs-change', { detail: { draft: this.draft }, bubbles: true, composed: true }));
  }
}

customElements.define('pf-inputs-editor', PfInputsEditor);

declare global {
  interface HTMLElementTagNameMap {
    'pf-inputs-editor': PfInputsEditor;
  }
}
