// The peer farm mark: three linked peers on a rounded tile. public/favicon.svg is the same drawing.
import { svg } from 'lit';

export const logo = svg`
  <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
    <rect width="32" height="32" rx="8" fill="var(--pf-accent)" />
    <g stroke="var(--pf-on-accent)" stroke-width="2" stroke-linecap="round" opacity="0.7">
      <line x1="10" y1="11" x2="22" y2="10" />
      <line x1="10" y1="11" x2="16" y2="22" />
      <line x1="22" y1="10" x2="16" y2="22" />
    </g>
    <g fill="var(--pf-on-accent)">
      <circle cx="10" cy="11" r="3.2" />
      <circle cx="22" cy="10" r="3.2" />
      <circle cx="16" cy="22" r="3.2" />
    </g>
  </svg>
`;
