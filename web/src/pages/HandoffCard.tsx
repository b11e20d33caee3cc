// One hand-off: who, what they said, a talk track, click-to-call, and the outcome form.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { label, when } from '../api/read';
import type { FeedItem } from '../api/types';
import { Field } from '../ui/Field';
import { Badge, ErrorNote } from '../ui/kit';

const OUTCOMES = ['meeting_booked', 'follow_up', 'not_a_fit', 'no_answer'] as const;
type Outcome = (typeof OUTCOMES)[number];

export function HandoffCard(props: { item: FeedItem }) {
  const { item } = props;
  const client = useQueryClient();
  const replyId = typeof item.data.replyId === 'string' ? item.data.replyId : null;
  const reply = useQuery({
    queryKey: ['reply', replyId],
    queryFn: () => unwrap(api.GET('/v1/replies/{id}', { params: { path: { id: replyId ?? '' } } })),
    enabled: replyId !== null,
  });
  const [outcome, setOutcome] = useState<Outcome>('meeting_booked');
  const [note, setNote] = useState('');
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/replies/{id}/outcome', {
          params: { path: { id: replyId ?? '' } },
          body: { outcome, ...(note ? { note } : {}) },
        }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['handoffs'] });
      void client.invalidateQueries({ queryKey: ['home'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const c = item.contact;
  const said = reply.data?.body;
  // Notes given when someone handed the reply off in the inbox, and the hand-off's own.
  const notes = [
    ...(typeof item.data.note === 'string' ? [item.data.note] : []),
    ...(reply.data?.actions ?? [])
      .filter((a) => a.action === 'handoff' && typeof a.data.note === 'string')
      .map((a) => String(a.data.note)),
  ];
  return (
    <article className="card task">
      <header>
        <h3>
          <Link to={`/contacts/${item.contactId}`}>{c.name || c.email}</Link>
        </h3>
        <span className="muted">
          {[c.title, c.company].filter(Boolean).join(' at ')} · {when(item.occurredAt)}
        </span>
        {item.outcome ? <Badge value={item.outcome} /> : <Badge value="open" />}
      </header>
      <p>{item.summary}</p>
      {said ? (
        <blockquote>
          <pre className="body">{said}</pre>
        </blockquote>
      ) : null}
      <div className="talk-track">
        <strong>Talk track</strong>
        <ul>
          <li>
            Thank {c.name.split(' ')[0] || 'them'} for answering “{reply.data?.sequenceName ?? 'your sequence'}”
            {reply.data ? ` (${label(reply.data.intent)})` : ''}.
          </li>
          {reply.data?.intent === 'question' ? <li>Answer their question first, in one or two sentences.</li> : null}
          {reply.data?.intent === 'meeting_request' ? (
            <li>Offer two concrete times and send the invite while on the call.</li>
          ) : null}
          <li>Ask what made them answer now, and what a good outcome would look like for {c.company ?? 'them'}.</li>
          {[...new Set(notes)].map((n) => (
            <li key={n}>Note: {n}</li>
          ))}
        </ul>
      </div>
      <p className="row-actions">
        {c.phone ? (
          <a className="button" href={`tel:${c.phone}`}>
            Call {c.phone}
          </a>
        ) : null}
        {c.email ? (
          <a className="button" href={`mailto:${c.email}`}>
            Email {c.email}
          </a>
        ) : null}
      </p>
      {replyId && !item.outcome ? (
        <form onSubmit={submit} className="row">
          <Field label="Outcome">
            <select
              value={outcome}
              onChange={(e) => setOutcome(OUTCOMES.find((o) => o === e.target.value) ?? 'follow_up')}
            >
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {label(o)}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Note">
            <input value={note} onChange={(e) => setNote(e.target.value)} />
          </Field>
          <button type="submit" className="primary" disabled={save.isPending}>
            Save outcome
          </button>
        </form>
      ) : null}
      <ErrorNote error={save.error} what="Outcome not saved" />
    </article>
  );
}
