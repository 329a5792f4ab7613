// Component styles shared by the three pages. Colours and sizes come from the custom properties
// in page.css, which pierce shadow roots; these rules give every page the same cards and buttons.
import { css } from 'lit';

export const baseStyles = css`
  :host {
    display: block;
  }

  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }

  h1,
  h2,
  h3,
  p {
    margin: 0;
  }

  .muted {
    color: var(--pf-muted);
  }

  .mono {
    font-family: var(--pf-mono);
    font-size: 0.92em;
    overflow-wrap: anywhere;
  }
`;

export const cardStyles = css`
  .card {
    background: var(--pf-surface);
    border: 1px solid var(--pf-border);
    border-radius: var(--pf-radius);
    box-shadow: var(--pf-shadow);
    padding: 20px 22px;
    min-width: 0;
  }

  @media (max-width: 520px) {
    .card {
      padding: 16px;
    }
  }

  .card-head {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 12px;
    min-height: 33px;
    margin-bottom: 14px;
  }

  .card-head h2 {
    font-size: 1rem;
    font-weight: 600;
    letter-spacing: 0.01em;
  }

  .count {
    display: inline-block;
    min-width: 1.6em;
    margin-left: 6px;
    padding: 0 7px;
    border-radius: 999px;
    background: var(--pf-surface-2);
    color: var(--pf-muted);
    font-size: 0.8rem;
    font-weight: 600;
    text-align: center;
  }

  .empty {
    padding: 22px 12px;
    border: 1px dashed var(--pf-border);
    border-radius: var(--pf-radius-small);
    color: var(--pf-muted);
    text-align: center;
  }

  .empty strong {
    display: block;
    color: var(--pf-text);
    font-weight: 600;
    margin-bottom: 2px;
  }

  .notice-error {
    display: flex;
    gap: 10px;
    align-items: flex-start;
    padding: 10px 14px;
    border-radius: var(--pf-radius-small);
    border: 1px solid color-mix(in srgb, var(--pf-danger) 35%, transparent);
    background: var(--pf-danger-soft);
    color: var(--pf-danger);
    overflow-wrap: anywhere;
  }

  .notice-error::before {
    content: '!';
    flex: none;
    display: grid;
    place-items: center;
    width: 20px;
    height: 20px;
    margin-top: 1px;
    border-radius: 50%;
    background: var(--pf-danger);
    color: var(--pf-surface);
    font-size: 0.8rem;
    font-weight: 700;
  }
`;

export const buttonStyles = css`
  button {
    font: inherit;
    cursor: pointer;
    border-radius: var(--pf-radius-small);
    border: 1px solid var(--pf-border);
    background: var(--pf-surface);
    color: var(--pf-text);
    padding: 7px 14px;
    font-weight: 500;
    transition: background 120ms ease, border-color 120ms ease;
  }

  button:hover:not(:disabled) {
    background: var(--pf-surface-2);
  }

  button:focus-visible {
    outline: 2px solid var(--pf-accent);
    outline-offset: 2px;
  }

  button:disabled {
    cursor: default;
    opacity: 0.55;
  }

  button.primary {
    background: var(--pf-accent);
    border-color: var(--pf-accent);
    color: var(--pf-on-accent);
    padding: 9px 22px;
    font-weight: 600;
  }

  button.primary:hover:not(:disabled) {
    background: var(--pf-accent-strong);
  }

  button.quiet {
    border-color: transparent;
    background: transparent;
    color: var(--pf-accent);
    padding: 4px 8px;
  }
`;

/** Label/value rows, e.g. the connection details. */
export const detailStyles = css`
  dl {
    display: grid;
    grid-template-columns: minmax(110px, max-content) 1fr;
    gap: 10px 18px;
    margin: 0;
  }

  dt {
    color: var(--pf-muted);
  }

  dd {
    margin: 0;
    min-width: 0;
    overflow-wrap: anywhere;
  }

  @media (max-width: 520px) {
    dl {
      grid-template-columns: 1fr;
      gap: 2px;
    }

    dd {
      margin-bottom: 10px;
    }
  }
`;

/** The page frame under the header: a centred column of cards. */
export const pageStyles = css`
  main {
    display: grid;
    gap: var(--pf-gap);
    max-width: var(--pf-max-width);
    margin: 0 auto;
    padding: 28px 20px 56px;
  }

  /* Grid items may shrink below their content (wide code, tables): they scroll inside instead. */
  main > *,
  .columns > * {
    min-width: 0;
  }

  .intro h1 {
    font-size: 1.55rem;
    font-weight: 650;
    letter-spacing: -0.01em;
  }

  .intro p {
    max-width: 62ch;
    margin-top: 4px;
    color: var(--pf-muted);
  }

  .columns {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 340px), 1fr));
    gap: var(--pf-gap);
    align-items: stretch;
  }

  @media (max-width: 520px) {
    main {
      padding: 18px 12px 40px;
      gap: 14px;
    }
  }
`;

/** Data tables inside a card: uppercase muted headings, hairline rows, right-aligned numbers. */
export const tableStyles = css`
  .scroll {
    overflow-x: auto;
  }

  table {
    width: 100%;
    border-collapse: collapse;
    font-size: 0.92rem;
  }

  th {
    padding: 8px 10px;
    border-bottom: 1px solid var(--pf-border);
    color: var(--pf-muted);
    font-size: 0.8rem;
    font-weight: 600;
    letter-spacing: 0.03em;
    text-align: left;
    text-transform: uppercase;
    white-space: nowrap;
  }

  td {
    padding: 8px 10px;
    border-bottom: 1px solid var(--pf-border);
    white-space: nowrap;
  }

  th:first-child,
  td:first-child {
    padding-left: 2px;
  }

  tbody tr:last-child td {
    border-bottom: none;
  }

  .num {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
`;

/** Form fields: labelled inputs, selects and textareas in the cards' look. */
export const fieldStyles = css`
  label,
  .label {
    display: block;
    margin-bottom: 5px;
    color: var(--pf-muted);
    font-size: 0.86rem;
    font-weight: 500;
  }

  input[type='number'],
  input[type='text'],
  select,
  textarea {
    width: 100%;
    padding: 7px 10px;
    border: 1px solid var(--pf-border);
    border-radius: var(--pf-radius-small);
    background: var(--pf-surface);
    color: var(--pf-text);
    font: inherit;
  }

  textarea {
    font-family: var(--pf-mono);
    font-size: 0.85rem;
    line-height: 1.45;
    resize: vertical;
  }

  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible {
    outline: 2px solid var(--pf-accent);
    outline-offset: 1px;
  }

  input[aria-invalid='true'],
  textarea[aria-invalid='true'] {
    border-color: var(--pf-danger);
  }

  input[type='range'] {
    width: 100%;
    accent-color: var(--pf-accent);
  }

  .hint {
    margin-top: 4px;
    color: var(--pf-muted);
    font-size: 0.82rem;
  }

  .field-error {
    margin-top: 4px;
    color: var(--pf-danger);
    font-size: 0.84rem;
  }
`;
