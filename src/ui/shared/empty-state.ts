// The "nothing here yet" box: what is missing, and what would make it appear. Needs cardStyles.
import { html } from 'lit';

export function emptyState(title: string, text: string) {
  return html`<div class="empty"><strong>${title}</strong>${text}</div>`;
}
