// The outcomes a person logs, keyed by the generated schema's own unions: an outcome the API adds
// or drops fails the web type-check until it is listed here (in the order the form shows them).
import type { paths } from './schema';

type Body<P extends keyof paths> = paths[P] extends {
  post: { requestBody?: { content: { 'application/json': infer B } } };
}
  ? B
  : never;

export type CallOutcome = Body<'/v1/tasks/{id}/outcome'>['outcome'];
export type ReplyOutcome = Body<'/v1/replies/{id}/outcome'>['outcome'];

const keysOf = <K extends string>(record: Record<K, true>): K[] =>
  Object.keys(record).filter((key): key is K => key in record);

export const CALL_OUTCOMES = keysOf<CallOutcome>({
  connected_interested: true,
  connected_not_now: true,
  connected_not_interested: true,
  voicemail: true,
  no_answer: true,
  wrong_number: true,
  do_not_call: true,
});

export const REPLY_OUTCOMES = keysOf<ReplyOutcome>({
  meeting_booked: true,
  follow_up: true,
  not_a_fit: true,
  no_answer: true,
});
