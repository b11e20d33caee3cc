// The simulated calendar: what would go out when (per day), on which channel and account, and
// what would wait or be skipped, and why. Nothing is sent.
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { list, num, obj, text, type Loose } from '../api/read';
import { Field } from '../ui/Field';
import { Badge, ErrorNote } from '../ui/kit';

type Row = { at: string; contactId: string; event: Loose };

function accountName(event: Loose): string {
  const account = event.account;
  if (account === 'sandbox') return 'sandbox';
  return text(obj(event, 'account'), 'name') ?? '';
}

export function Simulate(props: { sequenceId: string }) {
  const [days, setDays] = useState(30);
  const [tag, setTag] = useState('');
  const run = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/sequences/{id}/simulate', {
          params: { path: { id: props.sequenceId } },
          body: { days, ...(tag ? { tag } : {}) },
        }),
      ),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    run.mutate();
  };
  const rows: Row[] = (run.data?.contacts ?? [])
    .flatMap((c) => {
      const contact = typeof c === 'object' && c !== null ? (c as Loose) : {};
      return list(contact, 'events').map((event) => ({
        at: text(event, 'at') ?? '',
        contactId: text(contact, 'contactId') ?? '',
        event,
      }));
    })
    .sort((a, b) => a.at.localeCompare(b.at));
  const byDay = new Map<string, Row[]>();
  for (const row of rows) byDay.set(row.at.slice(0, 10), [...(byDay.get(row.at.slice(0, 10)) ?? []), row]);
  const totals = obj(run.data, 'totals');
  return (
    <section className="card">
      <h2>Simulate</h2>
      <form onSubmit={submit} className="row">
        <Field label="Days ahead">
          <input type="number" min={1} max={120} value={days} onChange={(e) => setDays(Number(e.target.value))} />
        </Field>
        <Field label="Only contacts with tag" hint="Empty: every contact (up to 1,000)">
          <input value={tag} onChange={(e) => setTag(e.target.value)} />
        </Field>
        <button type="submit" disabled={run.isPending}>
          {run.isPending ? 'Simulating…' : 'Run simulation'}
        </button>
      </form>
      <ErrorNote error={run.error} what="Simulation failed" />
      {run.data ? (
        <>
          <p role="status">
            {num(totals, 'sends') ?? 0} sends, {num(totals, 'deferrals') ?? 0} waits, {num(totals, 'skipped') ?? 0}{' '}
            skipped, {num(totals, 'completed') ?? 0} completed (on a virtual clock: nothing was sent).
          </p>
          {rows.length === 0 ? <p className="muted">Nothing would go out: are there contacts to simulate?</p> : null}
          <div className="calendar">
            {[...byDay.entries()].map(([day, events]) => (
              <div key={day} className="calendar-day">
                <h3>{new Date(`${day}T12:00:00Z`).toDateString()}</h3>
                <ul>
                  {events.map((r, i) => (
                    <li key={i}>
                      <time dateTime={r.at}>{r.at.slice(11, 16)}</time> <Badge value={text(r.event, 'action')} /> step{' '}
                      {(num(r.event, 'step') ?? 0) + 1} {text(r.event, 'channel') ?? ''} {accountName(r.event)}
                      {text(r.event, 'reason') ? <span className="muted"> — {text(r.event, 'reason')}</span> : null}
                    </li>
                  ))}
                </ul>
              </div>
            ))}
          </div>
        </>
      ) : null}
    </section>
  );
}
