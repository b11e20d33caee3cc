// The shapes a step passes through between deciding (decide.ts), reserving (claim.ts) and
// delivering (deliver.ts): kept apart from those files so none of them imports another's types.
import type { Contact } from '../../db/contacts.ts';
import type { Db, Sql } from '../../db/database.ts';
import type { MessageRow } from '../../db/messages.ts';
import type { ClaimInput } from '../../db/reservations.ts';
import type { SenderRow } from '../../db/senders.ts';

export type Reserved =
  | { kind: 'idle' }
  | { kind: 'deliver'; message: MessageRow; sender: SenderRow | null; contact: Contact; last: boolean }
  | { kind: 'reconcile'; message: MessageRow; sender: SenderRow | null; contact: Contact }
  | Claiming;

/** Work to do once the transaction has committed (waking jobs must not see uncommitted rows). */
export type AfterCommit = (() => Promise<void>)[];

/**
 * What holds a deferred step, stored on the enrollment (held_by, held_ref): an account (by id), every
 * account of a channel (by channel), a sequence's health pause (by id), an account's quota, the
 * sending window, a provider retry, or what a message needs (a template, an open conversation).
 * Resuming an account or a sequence releases exactly the steps it holds.
 */
export type Hold = {
  by:
    | 'account'
    | 'accounts'
    | 'sequence'
    | 'quota'
    | 'window'
    | 'retry'
    | 'identity'
    | 'template_required'
    | 'window_closed'
    /** A LinkedIn message waiting for the contact (ref) to accept the connection request. */
    | 'connection'
    /** A call task: the sequence waits for the person making the call until the task's due time. */
    | 'task';
  ref: string | null;
};

/** A peeking decision has something to write: decide again with the enrollment locked. */
export class NeedsLock extends Error {
  constructor() {
    super('the decision writes: take the enrollment lock');
  }
}

/** Locked: a tenant transaction. Peeking: reads only, each in its own short transaction. */
export type StepAccess = { locked: true; sql: Sql } | { locked: false; db: Db; workspaceId: string };

/**
 * A written step ready to be reserved: claimStep does it after the deciding transaction commits,
 * in one statement that also claims the account's quota (claimAndReserve).
 */
export type Claiming = {
  kind: 'claim';
  reservation: ClaimInput;
  sender: SenderRow | null;
  contact: Contact;
  /** The sequence's last step. */
  last: boolean;
  template: string;
  /** The workspace's offer: the plan score a deferred connection request is ranked by. */
  offer?: string | null;
  /** Records a deferral of this step (quota refused) in the caller's transaction. */
  defer: (sql: Sql, after: AfterCommit, until: Date, reason: string, hold: Hold) => Promise<void>;
};
