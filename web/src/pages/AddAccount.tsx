// Adding an SMTP or Resend account. The adapter's settings go in `credentials`; an SMTP account
// can also name the IMAP mailbox its replies are read from. A failed save keeps what was typed.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { Field } from '../ui/Field';
import { ErrorNote } from '../ui/kit';

type Server = { host: string; port: number; secure: boolean; user: string; pass: string };
const EMPTY: Server = { host: '', port: 587, secure: false, user: '', pass: '' };

function ServerFields(props: { legend: string; value: Server; onChange: (v: Server) => void; required: boolean }) {
  const v = props.value;
  const set = (patch: Partial<Server>) => props.onChange({ ...v, ...patch });
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      <div className="grid">
        <Field label="Host">
          <input required={props.required} value={v.host} onChange={(e) => set({ host: e.target.value })} />
        </Field>
        <Field label="Port">
          <input
            type="number"
            min={1}
            max={65535}
            value={v.port}
            onChange={(e) => set({ port: Number(e.target.value) })}
          />
        </Field>
        <Field label="User">
          <input
            required={props.required}
            autoComplete="off"
            value={v.user}
            onChange={(e) => set({ user: e.target.value })}
          />
        </Field>
        <Field label="Password">
          <input
            required={props.required}
            type="password"
            autoComplete="new-password"
            value={v.pass}
            onChange={(e) => set({ pass: e.target.value })}
          />
        </Field>
        <label className="check">
          <input type="checkbox" checked={v.secure} onChange={(e) => set({ secure: e.target.checked })} /> Implicit TLS
          (port 465/993)
        </label>
      </div>
    </fieldset>
  );
}

export function AddAccount(props: { provider: 'smtp' | 'resend'; onDone: () => void }) {
  const client = useQueryClient();
  const [fromEmail, setFromEmail] = useState('');
  const [fromName, setFromName] = useState('');
  const [dailyLimit, setDailyLimit] = useState('');
  const [smtp, setSmtp] = useState<Server>(EMPTY);
  const [imap, setImap] = useState<Server>({ ...EMPTY, port: 993, secure: true });
  const [apiKey, setApiKey] = useState('');
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/senders', {
          body: {
            channel: 'email',
            provider: props.provider,
            fromEmail,
            ...(fromName ? { fromName } : {}),
            ...(dailyLimit ? { dailyLimit: Number(dailyLimit) } : {}),
            credentials: props.provider === 'smtp' ? { ...smtp } : { apiKey },
            ...(props.provider === 'smtp' && imap.host ? { imap: { ...imap } } : {}),
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
  return (
    <form
      className="card"
      onSubmit={submit}
      aria-label={`Add a ${props.provider === 'smtp' ? 'SMTP' : 'Resend'} account`}
    >
      <h2>{props.provider === 'smtp' ? 'Add an SMTP account' : 'Add a Resend account'}</h2>
      <div className="grid">
        <Field label="From address">
          <input type="email" required value={fromEmail} onChange={(e) => setFromEmail(e.target.value)} />
        </Field>
        <Field label="From name" hint="A person's name to sign with: a real send waits until it is set">
          <input value={fromName} onChange={(e) => setFromName(e.target.value)} />
        </Field>
        <Field label="Daily limit" hint="Empty: the safe default with warm-up">
          <input type="number" min={0} value={dailyLimit} onChange={(e) => setDailyLimit(e.target.value)} />
        </Field>
      </div>
      {props.provider === 'smtp' ? (
        <>
          <ServerFields legend="SMTP server (sending)" value={smtp} onChange={setSmtp} required />
          <ServerFields legend="IMAP mailbox (replies; optional)" value={imap} onChange={setImap} required={false} />
        </>
      ) : (
        <Field label="Resend API key">
          <input
            required
            type="password"
            autoComplete="off"
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
          />
        </Field>
      )}
      <ErrorNote error={save.error} what="Not saved" />
      <div className="row-actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save account'}
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
