// Adding a WhatsApp (Meta, Gallabox), SMS or call (Twilio) or LinkedIn (Phantombuster) account: the
// provider's settings go in `credentials` (docs/whatsapp.md, sms.md, linkedin.md). Secrets are
// password inputs, never shown back; a refused save keeps what was typed and shows the API's message;
// a saved account shows the webhook URL to set on the provider.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { Field } from '../ui/Field';
import { ErrorNote, Notice } from '../ui/kit';

type Key = { key: string; label: string; secret?: boolean; optional?: boolean; hint?: string };
export type ChannelKind =
  'whatsapp-meta' | 'whatsapp-gallabox' | 'sms-twilio' | 'call-twilio' | 'linkedin-phantombuster';
type Spec = {
  title: string;
  channel: 'whatsapp' | 'sms' | 'call' | 'linkedin';
  provider: 'meta' | 'gallabox' | 'twilio' | 'phantombuster';
  phone: boolean;
  keys: Key[];
};

const BASE_URL: Key = { key: 'baseUrl', label: 'API base URL', optional: true, hint: "Empty: the provider's own" };
const TWILIO: Key[] = [
  { key: 'accountSid', label: 'Account SID', hint: 'AC and 32 hex digits' },
  { key: 'authToken', label: 'Auth token', secret: true },
  { key: 'messagingServiceSid', label: 'Messaging Service SID', optional: true },
  BASE_URL,
];

export const CHANNEL_ACCOUNTS: Record<ChannelKind, Spec> = {
  'whatsapp-meta': {
    title: 'WhatsApp (Meta)',
    channel: 'whatsapp',
    provider: 'meta',
    phone: true,
    keys: [
      { key: 'accessToken', label: 'Access token', secret: true },
      { key: 'phoneNumberId', label: 'Phone number ID' },
      { key: 'wabaId', label: 'WhatsApp Business Account ID' },
      { key: 'appSecret', label: 'App secret', secret: true },
      { key: 'verifyToken', label: 'Verify token', secret: true },
      BASE_URL,
    ],
  },
  'whatsapp-gallabox': {
    title: 'WhatsApp (Gallabox)',
    channel: 'whatsapp',
    provider: 'gallabox',
    phone: true,
    keys: [
      { key: 'apiKey', label: 'API key', secret: true },
      { key: 'apiSecret', label: 'API secret', secret: true },
      { key: 'channelId', label: 'Channel ID' },
      { key: 'accountId', label: 'Account ID' },
      { key: 'webhookSecret', label: 'Webhook secret', secret: true, optional: true },
      BASE_URL,
    ],
  },
  'sms-twilio': { title: 'SMS (Twilio)', channel: 'sms', provider: 'twilio', phone: true, keys: TWILIO },
  'call-twilio': { title: 'Calls (Twilio)', channel: 'call', provider: 'twilio', phone: true, keys: TWILIO },
  'linkedin-phantombuster': {
    title: 'LinkedIn (Phantombuster)',
    channel: 'linkedin',
    provider: 'phantombuster',
    phone: false,
    keys: [
      { key: 'apiKey', label: 'API key', secret: true },
      { key: 'sessionCookie', label: 'LinkedIn session cookie (li_at)', secret: true },
      { key: 'userAgent', label: 'Browser user agent' },
      { key: 'connectAgentId', label: 'Connect agent ID' },
      { key: 'messageAgentId', label: 'Message agent ID' },
      { key: 'networkAgentId', label: 'Network agent ID', optional: true },
      BASE_URL,
    ],
  },
};

function CredentialFields(props: {
  keys: Key[];
  value: Record<string, string>;
  onChange: (key: string, v: string) => void;
}) {
  return (
    <fieldset>
      <legend>Provider settings</legend>
      <div className="grid">
        {props.keys.map((k) => (
          <Field key={k.key} label={k.optional ? `${k.label} (optional)` : k.label} hint={k.hint}>
            <input
              required={!k.optional}
              type={k.secret ? 'password' : 'text'}
              autoComplete={k.secret ? 'new-password' : 'off'}
              value={props.value[k.key] ?? ''}
              onChange={(e) => props.onChange(k.key, e.target.value)}
            />
          </Field>
        ))}
      </div>
    </fieldset>
  );
}

export function AddChannelAccount(props: { kind: ChannelKind; onDone: () => void }) {
  const spec = CHANNEL_ACCOUNTS[props.kind];
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [fromPhone, setFromPhone] = useState('');
  const [linkedinFree, setLinkedinFree] = useState(true);
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/senders', {
          body: {
            channel: spec.channel,
            provider: spec.provider,
            ...(name ? { name } : {}),
            ...(spec.phone ? { fromPhone } : { linkedinFree }),
            credentials: Object.fromEntries(Object.entries(credentials).filter(([, v]) => v !== '')),
          },
        }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['senders'] });
      void client.invalidateQueries({ queryKey: ['home'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const saved = save.data as { webhookUrl?: string | null } | undefined;
  if (saved)
    return (
      <section className="card" aria-label={`${spec.title} account added`}>
        <Notice>
          Account added.{' '}
          {saved.webhookUrl ? (
            <>
              Set this webhook URL on the provider: <code className="webhook-url">{saved.webhookUrl}</code>
            </>
          ) : null}
        </Notice>
        <button type="button" onClick={props.onDone}>
          Done
        </button>
      </section>
    );
  return (
    <form className="card" onSubmit={submit} aria-label={`Add a ${spec.title} account`}>
      <h2>Add a {spec.title} account</h2>
      <div className="grid">
        <Field label="Account name" hint="How it is shown here">
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        {spec.phone ? (
          <Field label="From phone" hint="E.164, e.g. +15551234567">
            <input required type="tel" value={fromPhone} onChange={(e) => setFromPhone(e.target.value)} />
          </Field>
        ) : (
          <label className="check">
            <input type="checkbox" checked={linkedinFree} onChange={(e) => setLinkedinFree(e.target.checked)} /> Free
            LinkedIn account (few notes a month, lower weekly caps)
          </label>
        )}
      </div>
      <CredentialFields
        keys={spec.keys}
        value={credentials}
        onChange={(key, v) => setCredentials((c) => ({ ...c, [key]: v }))}
      />
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
