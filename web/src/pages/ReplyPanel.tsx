// One reply: the conversation and the actions (answer on the reply's channel from the same account —
// email, WhatsApp, SMS, LinkedIn — mark interested → hand off, not now → a date, unsubscribe).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { when } from '../api/read';
import { Field } from '../ui/Field';
import { Badge, ErrorNote, Loading, Notice } from '../ui/kit';

type Action = { action: string; data: Record<string, unknown> };

function describeAction(a: Action): string {
  const value = (key: string) => (typeof a.data[key] === 'string' ? String(a.data[key]) : '');
  switch (a.action) {
    case 'handoff':
      return 'Handed off';
    case 'snooze':
      return `Not now, until ${value('until').slice(0, 10)}`;
    case 'unsubscribe':
      return 'Unsubscribed';
    case 'respond':
      return value('status') === 'failed' ? 'Answer refused by the provider' : 'Answered';
    case 'outcome':
      return `Outcome: ${value('outcome').replaceAll('_', ' ')}`;
    default:
      return a.action;
  }
}

/** The channels an answer can go out on from here (POST /v1/replies/:id/respond), and how. */
const ANSWER_HINTS: Record<string, string> = {
  email: 'Sent from the account the conversation went out on, in the same thread',
  whatsapp: 'Sent on WhatsApp from the same number, while the 24-hour window their message opened lasts',
  sms: 'Sent by SMS from the same number',
  linkedin: 'Sent as a LinkedIn message from the same account',
};
export const CHANNEL_NAMES: Record<string, string> = {
  email: 'email',
  whatsapp: 'WhatsApp',
  sms: 'SMS',
  linkedin: 'LinkedIn',
  call: 'call',
};

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

export function ReplyPanel(props: { id: string }) {
  const client = useQueryClient();
  const reply = useQuery({
    queryKey: ['reply', props.id],
    queryFn: () => unwrap(api.GET('/v1/replies/{id}', { params: { path: { id: props.id } } })),
  });
  const [note, setNote] = useState('');
  const [until, setUntil] = useState(inDays(30));
  const done = () => {
    void client.invalidateQueries({ queryKey: ['reply', props.id] });
    void client.invalidateQueries({ queryKey: ['replies'] });
    void client.invalidateQueries({ queryKey: ['home'] });
    void client.invalidateQueries({ queryKey: ['handoffs'] });
  };
  const path = { params: { path: { id: props.id } } };
  const handoff = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/replies/{id}/handoff', { ...path, body: note ? { note } : {} })),
    onSuccess: () => {
      setNote('');
      done();
    },
  });
  const snooze = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/replies/{id}/snooze', { ...path, body: { until: new Date(`${until}T09:00:00`).toISOString() } }),
      ),
    onSuccess: done,
  });
  const [answer, setAnswer] = useState('');
  const respond = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/replies/{id}/respond', { ...path, body: { body: answer } })),
    onSuccess: () => {
      setAnswer('');
      done();
    },
    // A refused answer is recorded too: show it in the conversation, keep the text to try again.
    onError: () => void client.invalidateQueries({ queryKey: ['reply', props.id] }),
  });
  const unsubscribe = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/replies/{id}/unsubscribe', { ...path, body: {} })),
    onSuccess: done,
  });
  if (reply.isPending) return <Loading what="the conversation" />;
  if (reply.isError) return <ErrorNote error={reply.error} what="Could not load the reply" />;
  const r = reply.data;
  const onHandoff = (e: FormEvent) => {
    e.preventDefault();
    handoff.mutate();
  };
  const onRespond = (e: FormEvent) => {
    e.preventDefault();
    respond.mutate();
  };
  const onSnooze = (e: FormEvent) => {
    e.preventDefault();
    snooze.mutate();
  };
  return (
    <article aria-label="Conversation">
      <h2>
        <Link to={`/contacts/${r.contactId}`}>{r.contact.name || r.contact.email}</Link>{' '}
        {r.contact.company ? <span className="muted">at {r.contact.company}</span> : null}
      </h2>
      <p>
        <Badge value={r.intent} /> {Math.round(r.confidence * 100)} % · {CHANNEL_NAMES[r.channel] ?? r.channel} ·{' '}
        {r.sequenceName}
        {r.returnDate ? ` · back on ${r.returnDate}` : ''}
      </p>
      <ol className="conversation">
        {r.conversation.map((entry) => (
          <li key={entry.id} className={entry.kind}>
            <div className="meta">
              {entry.kind === 'reply' ? 'They wrote' : entry.kind === 'response' ? 'You answered' : 'We sent'} ·{' '}
              {when(entry.at)} {entry.intent ? <Badge value={entry.intent} /> : null}
              {entry.kind === 'response' && entry.status === 'failed' ? <Badge value="failed" /> : null}
            </div>
            {entry.subject ? <div className="subject">{entry.subject}</div> : null}
            <pre className="body">{entry.body}</pre>
          </li>
        ))}
      </ol>
      {r.actions.length > 0 ? (
        <Notice>{r.actions.map((a) => `${describeAction(a)} on ${when(a.createdAt)}`).join(' · ')}</Notice>
      ) : null}
      <div className="reply-actions">
        {ANSWER_HINTS[r.channel] ? (
          <form onSubmit={onRespond}>
            <Field label="Your answer" hint={ANSWER_HINTS[r.channel]}>
              <textarea rows={4} required value={answer} onChange={(e) => setAnswer(e.target.value)} />
            </Field>
            <button type="submit" className="primary" disabled={respond.isPending}>
              {respond.isPending ? 'Sending…' : `Send answer by ${CHANNEL_NAMES[r.channel] ?? r.channel}`}
            </button>
            <ErrorNote error={respond.error} what="Not sent" />
          </form>
        ) : null}
        <form onSubmit={onHandoff}>
          <Field label="Note for whoever follows up (optional)">
            <textarea rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
          </Field>
          <button type="submit" className="primary" disabled={handoff.isPending}>
            Mark interested → hand off
          </button>
          <ErrorNote error={handoff.error} />
        </form>
        <form onSubmit={onSnooze}>
          <Field label="Not now: follow up on">
            <input type="date" required min={inDays(1)} value={until} onChange={(e) => setUntil(e.target.value)} />
          </Field>
          <button type="submit" disabled={snooze.isPending}>
            Not now
          </button>
          <ErrorNote error={snooze.error} />
        </form>
        <div>
          <button
            type="button"
            className="danger"
            disabled={unsubscribe.isPending}
            onClick={() => {
              if (window.confirm('Unsubscribe this contact from every channel?')) unsubscribe.mutate();
            }}
          >
            Unsubscribe
          </button>
          <ErrorNote error={unsubscribe.error} />
        </div>
      </div>
    </article>
  );
}
