// Changing an account's own caps (PATCH /v1/senders/:id): daily, hourly and weekly. Empty hourly or
// weekly means no such cap. A refused change shows the API's reason and keeps what was typed.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { num, text } from '../api/read';
import type { Sender } from '../api/types';
import { Field } from '../ui/Field';
import { ErrorNote } from '../ui/kit';

const asText = (value: number | null) => (value === null ? '' : String(value));
const asLimit = (value: string) => (value.trim() === '' ? null : Number(value));

export function AccountLimits(props: { sender: Sender; onDone: () => void }) {
  const { sender } = props;
  const client = useQueryClient();
  const [daily, setDaily] = useState(asText(num(sender, 'dailyLimit')));
  const [hourly, setHourly] = useState(asText(num(sender, 'hourlyLimit')));
  const [weekly, setWeekly] = useState(asText(num(sender, 'weeklyLimit')));
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH('/v1/senders/{id}', {
          params: { path: { id: sender.id } },
          body: {
            ...(daily.trim() === '' ? {} : { dailyLimit: Number(daily) }),
            hourlyLimit: asLimit(hourly),
            weeklyLimit: asLimit(weekly),
          },
        }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['senders'] });
      void client.invalidateQueries({ queryKey: ['home'] });
      props.onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const name = text(sender, 'name') ?? text(sender, 'fromEmail') ?? text(sender, 'fromPhone') ?? sender.provider;
  return (
    <form className="card" aria-label={`Limits of ${name}`} onSubmit={submit}>
      <h2>Limits of {name}</h2>
      <div className="row">
        <Field label="Per day">
          <input type="number" min={0} required value={daily} onChange={(e) => setDaily(e.target.value)} />
        </Field>
        <Field label="Per hour" hint="Empty: no hourly cap">
          <input type="number" min={0} value={hourly} onChange={(e) => setHourly(e.target.value)} />
        </Field>
        <Field label="Per week" hint="Empty: no weekly cap">
          <input type="number" min={0} value={weekly} onChange={(e) => setWeekly(e.target.value)} />
        </Field>
      </div>
      <p className="row-actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          Save limits
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </p>
      <ErrorNote error={save.error} what="Limits not saved" />
    </form>
  );
}
