// One contact: what we know, its messages and its timeline (every message, event, reply and
// decision with its reason), newest first.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { bool, contactName, obj, strings, text, when, type Loose } from '../api/read';
import { Badge, Empty, ErrorNote, Loading, PageHeader } from '../ui/kit';
import { LogReply } from './LogReply';

const FIELDS = ['email', 'phone', 'linkedinUrl', 'title', 'company', 'companyDomain', 'timezone', 'country', 'city'];

function Enrichment(props: { contact: Loose }) {
  const enrichment = obj(props.contact, 'enrichment') ?? {};
  const entries = Object.entries(enrichment).filter(([, v]) => v !== null && v !== '');
  if (entries.length === 0) return <p className="muted">No enrichment yet.</p>;
  return (
    <dl className="facts">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{Array.isArray(value) ? value.join(', ') : String(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Where the contact stands with LinkedIn, with the date of that state. */
function LinkedinConnection(props: { connection: Loose | undefined }) {
  const state = text(props.connection, 'state');
  if (!state || state === 'none') return null;
  const at = text(props.connection, state === 'requested' ? 'requestedAt' : `${state}At`);
  return (
    <div>
      <dt>LinkedIn connection</dt>
      <dd>
        <Badge value={state} /> {when(at)}
      </dd>
    </div>
  );
}

export function ContactPage() {
  const { id = '' } = useParams();
  const contact = useQuery({
    queryKey: ['contact', id],
    queryFn: () => unwrap(api.GET('/v1/contacts/{id}', { params: { path: { id } } })),
  });
  const timeline = useInfiniteQuery({
    queryKey: ['timeline', id],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/contacts/{id}/timeline', {
          params: { path: { id }, query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const messages = useQuery({
    queryKey: ['messages', { contactId: id }],
    queryFn: () => unwrap(api.GET('/v1/messages', { params: { query: { contactId: id, limit: 100 } } })),
  });
  if (contact.isPending) return <Loading what="the contact" />;
  if (contact.isError) return <ErrorNote error={contact.error} what="Could not load the contact" />;
  const c = contact.data;
  const entries = timeline.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <>
      <p className="crumbs">
        <Link to="/contacts">Contacts</Link> /
      </p>
      <PageHeader title={contactName(c)} intro={[text(c, 'title'), text(c, 'company')].filter(Boolean).join(' at ')} />
      <div className="columns">
        <section className="card">
          <h2>Details</h2>
          <p>
            <Badge value={c.status} />{' '}
            {strings(c, 'tags').map((t) => (
              <span key={t} className="tag">
                {t}
              </span>
            ))}
          </p>
          <dl className="facts">
            {FIELDS.filter((f) => text(c, f)).map((f) => (
              <div key={f}>
                <dt>{f}</dt>
                <dd>{text(c, f)}</dd>
              </div>
            ))}
            <div>
              <dt>WhatsApp opt-in</dt>
              <dd>{bool(c, 'whatsappOptIn') ? 'yes' : 'no'}</dd>
            </div>
            <div>
              <dt>SMS opt-in</dt>
              <dd>{bool(c, 'smsOptIn') ? 'yes' : 'no'}</dd>
            </div>
            <LinkedinConnection connection={c.linkedinConnection} />
          </dl>
          <h3>Enrichment</h3>
          <Enrichment contact={c} />
        </section>
        <section className="card">
          <h2>Messages</h2>
          <ErrorNote error={messages.error} />
          {messages.data?.data.length === 0 ? (
            <p className="muted">No message yet: enroll this contact in a sequence.</p>
          ) : null}
          {messages.data?.data.map((m) => (
            <article key={m.id} className="message">
              <header>
                <strong>Step {m.step + 1}</strong> · {m.channel} via {m.provider} · <Badge value={m.status} /> ·{' '}
                {when(m.sentAt)}
              </header>
              {m.subject ? <div className="subject">{m.subject}</div> : null}
              <pre className="body">{m.body}</pre>
              {m.status === 'sent' || m.status === 'delivered' ? <LogReply messageId={m.id} /> : null}
            </article>
          ))}
        </section>
      </div>
      <section className="card">
        <h2>Timeline</h2>
        <ErrorNote error={timeline.error} />
        {timeline.isSuccess && entries.length === 0 ? (
          <Empty title="Nothing has happened yet">
            <p>Enroll the contact in a sequence; every message, event, reply and decision lands here.</p>
          </Empty>
        ) : null}
        <ol className="timeline">
          {entries.map((a) => (
            <li key={a.id}>
              <time dateTime={a.occurredAt}>{when(a.occurredAt)}</time>
              <Badge value={a.type} />
              <span>{a.summary}</span>
            </li>
          ))}
        </ol>
        {timeline.hasNextPage ? (
          <button type="button" onClick={() => void timeline.fetchNextPage()}>
            Older
          </button>
        ) : null}
      </section>
    </>
  );
}
