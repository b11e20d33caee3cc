// One call task (GET /v1/tasks): who to call and why, their local time, the talk track,
// click-to-call through the workspace's call account (rings your phone, then bridges theirs), a
// plain tel: link, and the outcome form that steers the sequence.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { CALL_OUTCOMES, type CallOutcome } from '../api/outcomes';
import { label, obj, text, when } from '../api/read';
import type { CallTask } from '../api/types';
import { Field } from '../ui/Field';
import { Badge, ErrorNote, Notice } from '../ui/kit';
import { OutcomeForm } from '../ui/OutcomeForm';

function useTaskActions(id: string) {
  const client = useQueryClient();
  const done = () => {
    void client.invalidateQueries({ queryKey: ['tasks'] });
    void client.invalidateQueries({ queryKey: ['handoffs'] });
    void client.invalidateQueries({ queryKey: ['home'] });
  };
  const path = { params: { path: { id } } };
  const call = useMutation({
    mutationFn: (repPhone: string) =>
      unwrap(api.POST('/v1/tasks/{id}/call', { ...path, body: repPhone ? { repPhone } : {} })),
    onSuccess: done,
  });
  const outcome = useMutation({
    mutationFn: (body: { outcome: CallOutcome; note?: string; returnDate?: string; alsoSms?: boolean }) =>
      unwrap(api.POST('/v1/tasks/{id}/outcome', { ...path, body })),
    onSuccess: done,
  });
  return { call, outcome };
}

export function CallTaskCard(props: { task: CallTask }) {
  const { task } = props;
  const { call, outcome } = useTaskActions(task.id);
  const contact = obj(task, 'contact');
  const owner = obj(task, 'owner');
  const phone = text(task, 'phone');
  const name = text(contact, 'name') ?? phone ?? 'the contact';
  const live = obj(task, 'call');
  const [repPhone, setRepPhone] = useState(text(owner, 'phone') ?? '');
  const [returnDate, setReturnDate] = useState('');
  const [alsoSms, setAlsoSms] = useState(false);
  const onCall = (e: FormEvent) => {
    e.preventDefault();
    call.mutate(repPhone.trim());
  };
  const onOutcome = (input: { outcome: CallOutcome; note: string }) =>
    outcome.mutate({
      outcome: input.outcome,
      ...(input.note ? { note: input.note } : {}),
      ...(input.outcome === 'connected_not_now' && returnDate ? { returnDate } : {}),
      ...(input.outcome === 'do_not_call' && alsoSms ? { alsoSms } : {}),
    });
  return (
    <article className="card task" aria-label={`Call task: ${name}`}>
      <header>
        <h3>
          <Link to={`/contacts/${text(task, 'contactId') ?? ''}`}>{name}</Link>
        </h3>
        <span className="muted">{[text(contact, 'company'), text(task, 'localTime')].filter(Boolean).join(' · ')}</span>
        <Badge value={task.status} />
        {text(task, 'outcome') ? <Badge value={text(task, 'outcome')} /> : null}
      </header>
      <dl className="facts">
        <dt>Why</dt>
        <dd>{text(task, 'reason') ?? '—'}</dd>
        <dt>Due</dt>
        <dd>{when(text(task, 'dueAt'))}</dd>
        {live ? (
          <>
            <dt>Call</dt>
            <dd>{label(text(live, 'status'))}</dd>
          </>
        ) : null}
        {text(task, 'note') ? (
          <>
            <dt>Note</dt>
            <dd>{text(task, 'note')}</dd>
          </>
        ) : null}
      </dl>
      <div className="talk-track">
        <strong>Talk track</strong>
        <pre className="body">{task.talkTrack}</pre>
      </div>
      {task.status !== 'done' ? (
        <>
          <form onSubmit={onCall} className="row">
            <Field label="Your phone" hint="Rung first, then bridged to them (E.164, e.g. +15551234567)">
              <input type="tel" value={repPhone} onChange={(e) => setRepPhone(e.target.value)} />
            </Field>
            <button type="submit" className="primary" disabled={call.isPending || !phone}>
              {call.isPending ? 'Calling…' : `Click to call ${phone ?? ''}`}
            </button>
            {phone ? (
              <a className="button" href={`tel:${phone}`}>
                Dial {phone} yourself
              </a>
            ) : null}
          </form>
          <ErrorNote error={call.error} what="Not called" />
          {call.isSuccess ? <Notice>Calling: your phone rings first, then {name}.</Notice> : null}
          <OutcomeForm
            outcomes={CALL_OUTCOMES}
            initial="connected_interested"
            label="Call outcome"
            noteLabel="Call note"
            submit="Log outcome"
            pending={outcome.isPending}
            onSave={onOutcome}
            extra={(chosen) =>
              chosen === 'connected_not_now' ? (
                <Field label="Call back on">
                  <input type="date" value={returnDate} onChange={(e) => setReturnDate(e.target.value)} />
                </Field>
              ) : chosen === 'do_not_call' ? (
                <label className="check">
                  <input type="checkbox" checked={alsoSms} onChange={(e) => setAlsoSms(e.target.checked)} /> No SMS
                  either
                </label>
              ) : null
            }
          />
          <ErrorNote error={outcome.error} what="Outcome not logged" />
        </>
      ) : null}
    </article>
  );
}
