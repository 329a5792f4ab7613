// The client role of the submit page (`window.peerfarm` there): joins as a client and sees the
// listening workers; farming a job series builds on this.
import { Member, type MemberDeps } from './member.ts';

export class ClientRole extends Member {
  constructor(deps: MemberDeps) {
    super('client', deps);
  }

  /** The workers this client could farm to. */
  get workers(): readonly string[] {
    return this.peers;
  }
}
