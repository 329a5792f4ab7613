// The worker role of a tab (`window.peerfarm` on the worker page). It joins only when the person
// presses Join (or the page was opened with ?join); the overlay and jobs build on this.
import { Member, type MemberDeps } from './member.ts';

export class WorkerRole extends Member {
  constructor(deps: MemberDeps) {
    super('worker', deps);
  }
}
