// A message preview per step for a chosen contact: the writer's text, the facts it used and the
// guardrail results. Nothing is sent.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import type { paths } from '../api/schema';
import { bool, contactName, list, obj, strings, text, type Loose } from '../api/read';
import { Field } from '../ui/Field';
import { Badge, ErrorNote } from '../ui/kit';

const CHANNELS = ['email', 'linkedin', 'whatsapp', 'sms', 'call'] as const;
type Channel = (typeof CHANNELS)[number];
const asChannel = (v: string | null): Channel => CHANNELS.find((c) => c === v) ?? 'email';
type Purpose = NonNullable<
  paths['/v1/writer/generate']['post']['requestBody']
>['content']['application/json']['purpose'];
// The writer's purposes (checked against the API's own list by the type); a free-form step template
// is written as an intro, as the engine writes it.
const PURPOSES = [
  'intro',
  'connection_request',
  'linkedin_dm',
  'followup_1',
  'followup_2',
  'followup_3',
  'casual_checkin',
  'value_add',
  'case_study',
  'discovery_call',
  'breakup',
  'reengage',
] as const satisfies readonly Purpose[];
const asPurpose = (v: string | null): Purpose => PURPOSES.find((p) => p === v) ?? 'intro';

export function Preview(props: { steps: Loose[] }) {
  const [contactId, setContactId] = useState('');
  const [stepIndex, setStepIndex] = useState(0);
  const contacts = useQuery({
    queryKey: ['contacts', 'preview'],
    queryFn: () => unwrap(api.GET('/v1/contacts/search', { params: { query: { limit: 100 } } })),
  });
  const generate = useMutation({
    mutationFn: () => {
      const step = props.steps[stepIndex];
      return unwrap(
        api.POST('/v1/writer/generate', {
          body: { contactId, channel: asChannel(text(step, 'channel')), purpose: asPurpose(text(step, 'template')) },
        }),
      );
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    generate.mutate();
  };
  const out = generate.data;
  const checks = obj(out, 'checks');
  return (
    <section className="card">
      <h2>Preview a message</h2>
      <form onSubmit={submit} className="row">
        <Field label="Contact">
          <select required value={contactId} onChange={(e) => setContactId(e.target.value)}>
            <option value="">Choose a contact</option>
            {contacts.data?.data.map((c) => (
              <option key={c.id} value={c.id}>
                {contactName(c)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Step">
          <select value={stepIndex} onChange={(e) => setStepIndex(Number(e.target.value))}>
            {props.steps.map((s, i) => (
              <option key={i} value={i}>
                {i + 1}: {text(s, 'channel')} {text(s, 'template')}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" disabled={!contactId || generate.isPending}>
          {generate.isPending ? 'Writing…' : 'Preview'}
        </button>
      </form>
      <ErrorNote error={generate.error} what="No preview" />
      {out ? (
        <article className="message">
          {out.blocked ? <p className="error-note">Blocked: {text(out, 'reason')}</p> : null}
          {text(out, 'subject') ? <div className="subject">{text(out, 'subject')}</div> : null}
          {text(out, 'body') ? <pre className="body">{text(out, 'body')}</pre> : null}
          <p>
            Guardrails: <Badge value={bool(checks, 'passed') ? 'passed' : 'failed'} />{' '}
            {list(checks, 'failures')
              .map((f) => text(f, 'message') ?? text(f, 'rule'))
              .join('; ')}
          </p>
          <p>Facts used: {strings(out, 'factsUsed').join(', ') || 'none'}</p>
        </article>
      ) : null}
    </section>
  );
}
