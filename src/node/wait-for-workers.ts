// Joined is not yet informed: the authority's list of listening workers arrives just after the
// welcome. A script waits for it before soliciting, as the submit page waits for its list to fill.
import type { ClientRole } from '../peer/client-role.ts';

/** Resolves once the authority named at least `count` listening workers; rejects after `timeoutMs`. */
export function waitForWorkers(role: ClientRole, timeoutMs: number, count = 1): Promise<void> {
  if (role.workers.length >= count) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      role.removeEventListener('change', check);
    };
    const check = () => {
      if (role.workers.length < count) return;
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no worker is listening at ${role.authorityUrl ?? 'the authority'} (waited ${timeoutMs / 1000} s)`));
    }, timeoutMs);
    role.addEventListener('change', check);
  });
}
