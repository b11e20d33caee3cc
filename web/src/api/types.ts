// Named shapes of the API's answers, all derived from the generated schema.
import type { components, paths } from './schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? Json<R[200 & keyof R]> | Json<R[201 & keyof R]>
  : never;

export type Session = Ok<'/v1/session', 'get'>;
export type Member = NonNullable<Session['member']>;
export type Home = Ok<'/v1/home', 'get'>;
export type InboxReply = Ok<'/v1/replies', 'get'>['data'][number];
export type ReplyDetail = Ok<'/v1/replies/{id}', 'get'>;
export type FeedItem = Ok<'/v1/activities', 'get'>['data'][number];
export type ApiKey = Ok<'/v1/keys', 'get'>['data'][number];
export type Workspace = Ok<'/v1/workspace', 'get'>;
export type ImportResult = Ok<'/v1/contacts', 'post'>;
export type TimelineEntry = Ok<'/v1/contacts/{id}/timeline', 'get'>['data'][number];
export type SequenceEnrollment = Ok<'/v1/sequences/{id}/enrollments', 'get'>['data'][number];
export type Message = Ok<'/v1/messages', 'get'>['data'][number];
export type DailyStats = Ok<'/v1/analytics/sequences/{id}/daily', 'get'>['days'][number];
export type Schemas = components['schemas'];
export type CallTask = Ok<'/v1/tasks', 'get'>['data'][number];
export type Handoff = Ok<'/v1/handoffs', 'get'>['data'][number];
export type Sender = Ok<'/v1/senders', 'get'>['data'][number];
