// One hand-off (GET /v1/handoffs): who and what they said, the assignee and the SLA, a talk track
// from what we know, click-to-call when there is a phone number, acknowledge, and — for a reply —
// the outcome form (saving an outcome acknowledges the hand-off too).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { REPLY_OUTCOMES, type ReplyOutcome } from '../api/outcomes';
import { label, list, obj, text, when } from '../api/read';
import type { Handoff } from '../api/types';
import { Badge, ErrorNote } from '../ui/kit';
import { OutcomeForm } from '../ui/OutcomeForm';

function useHandoffActions(handoff: Handoff, replyId: string | null) {
  const client = useQueryClient();
  const done = () => {
    void client.invalidateQueries({ queryKey: ['handoffs'] });
    void client.invalidateQueries({ queryKey: ['home'] });
    if (replyId) void client.invalidateQueries({ queryKey: ['reply', replyId] });
  };
  const path = { params: { path: { id: handoff.id } } };
  const acknowledge = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/handoffs/{id}/acknowledge', path)),
    onSuccess: done,
  });
  const outcome = useMutation({
    mutationFn: async (input: { outcome: ReplyOutcome; note: string }) => {
      await unwrap(
        api.POST('/v1/replies/{id}/outcome', {
          params: { path: { id: replyId ?? '' } },
          body: { outcome: input.outcome, ...(input.note ? { note: input.note } : {}) },
        }),
      );
      if (handoff.status === 'open') await unwrap(api.POST('/v1/handoffs/{id}/acknowledge', path));
    },
    onSuccess: done,
  });
  return { acknowledge, outcome };
}

export function HandoffCard(props: { handoff: Handoff }) {
  const { handoff } = props;
  const replyId = handoff.source === 'reply' ? handoff.sourceRef : null;
  const reply = useQuery({
    queryKey: ['reply', replyId],
    queryFn: () => unwrap(api.GET('/v1/replies/{id}', { params: { path: { id: replyId ?? '' } } })),
    enabled: replyId !== null,
  });
  const { acknowledge, outcome } = useHandoffActions(handoff, replyId);
  const who = obj(handoff.summary, 'who');
  const company = obj(handoff.summary, 'company');
  const name = text(who, 'name') ?? text(who, 'email') ?? 'the contact';
  const phone = text(who, 'phone');
  const email = text(who, 'email');
  const lastIn = list(handoff.summary, 'conversation')
    .filter((line) => text(line, 'direction') === 'in')
    .at(-1);
  const said = reply.data?.body ?? text(lastIn, 'text');
  const notes = [
    ...(text(handoff.summary, 'note') ? [String(text(handoff.summary, 'note'))] : []),
    ...(reply.data?.actions ?? [])
      .filter((a) => a.action === 'handoff' && typeof a.data.note === 'string')
      .map((a) => String(a.data.note)),
  ];
  const recorded = reply.data?.actions.find((a) => a.action === 'outcome');
  const assignee = handoff.assignee ? handoff.assignee.name || handoff.assignee.email : 'the team (no member assigned)';
  return (
    <article className="card task" aria-label={`Hand-off: ${name}`}>
      <header>
        <h3>
          <Link to={`/contacts/${handoff.contactId}`}>{name}</Link>
        </h3>
        <span className="muted">
          {[text(who, 'title'), text(company, 'name')].filter(Boolean).join(' at ')} · {label(handoff.source)} ·{' '}
          {when(handoff.createdAt)}
        </span>
        <Badge value={handoff.status} />
        {handoff.intent ? <Badge value={handoff.intent} /> : null}
      </header>
      <dl className="facts">
        <dt>Assigned to</dt>
        <dd>{assignee}</dd>
        <dt>SLA</dt>
        <dd>
          {handoff.status === 'acknowledged'
            ? `acknowledged ${when(handoff.acknowledgedAt)}`
            : `answer by ${when(handoff.dueAt)}`}
          {handoff.remindedAt ? ` · overdue: reminder sent ${when(handoff.remindedAt)}` : ''}
        </dd>
      </dl>
      {said ? (
        <blockquote>
          <pre className="body">{said}</pre>
        </blockquote>
      ) : null}
      <div className="talk-track">
        <strong>Talk track</strong>
        <ul>
          <li>
            Thank {name.split(' ')[0]} for answering
            {reply.data ? ` “${reply.data.sequenceName}” (${label(reply.data.intent)})` : ''}.
          </li>
          {handoff.intent === 'question' ? <li>Answer their question first, in one or two sentences.</li> : null}
          {handoff.intent === 'meeting_request' ? (
            <li>Offer two concrete times and send the invite while on the call.</li>
          ) : null}
          <li>
            Ask what made them answer now, and what a good outcome would look like for {text(company, 'name') ?? 'them'}
            .
          </li>
          {[...new Set(notes)].map((n) => (
            <li key={n}>Note: {n}</li>
          ))}
        </ul>
      </div>
      <p className="row-actions">
        {phone ? (
          <a className="button" href={`tel:${phone}`}>
            Call {phone}
          </a>
        ) : null}
        {email ? (
          <a className="button" href={`mailto:${email}`}>
            Email {email}
          </a>
        ) : null}
        {handoff.status === 'open' ? (
          <button type="button" onClick={() => acknowledge.mutate()} disabled={acknowledge.isPending}>
            Acknowledge
          </button>
        ) : null}
      </p>
      <ErrorNote error={acknowledge.error} what="Not acknowledged" />
      {recorded ? <p>Outcome: {label(String(recorded.data.outcome ?? ''))}</p> : null}
      {replyId && reply.isSuccess && !recorded ? (
        <OutcomeForm
          outcomes={REPLY_OUTCOMES}
          initial="meeting_booked"
          label="Outcome"
          noteLabel="Note"
          submit="Save outcome"
          pending={outcome.isPending}
          onSave={(input) => outcome.mutate(input)}
        />
      ) : null}
      <ErrorNote error={outcome.error} what="Outcome not saved" />
    </article>
  );
}
