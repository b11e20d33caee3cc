// The unified inbox: every reply on every channel, newest first, with its classified intent; the
// conversation of the one selected and what to do with it.
import { useInfiniteQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { when } from '../api/read';
import { Badge, Empty, ErrorNote, Loading, PageHeader } from '../ui/kit';
import { Field } from '../ui/Field';
import { CHANNEL_NAMES, ReplyPanel } from './ReplyPanel';

const INTENTS = [
  'interested',
  'meeting_request',
  'question',
  'not_interested',
  'not_now',
  'referral',
  'out_of_office',
  'unsubscribe',
  'auto_reply',
  'bounce',
] as const;
type Intent = (typeof INTENTS)[number];
const isIntent = (v: string): v is Intent => (INTENTS as readonly string[]).includes(v);
const CHANNELS = ['email', 'whatsapp', 'sms', 'linkedin'] as const;
type Channel = (typeof CHANNELS)[number];
const isChannel = (v: string): v is Channel => (CHANNELS as readonly string[]).includes(v);

export function InboxPage() {
  const [params, setParams] = useSearchParams();
  const waiting = params.get('waiting') === 'true';
  const intent = params.get('intent') ?? '';
  const channel = params.get('channel') ?? '';
  const selected = params.get('reply');
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: key !== 'reply' });
  };
  const replies = useInfiniteQuery({
    queryKey: ['replies', { waiting, intent, channel }],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/replies', {
          params: {
            query: {
              limit: 50,
              ...(pageParam ? { cursor: pageParam } : {}),
              ...(waiting ? { waiting: 'true' as const } : {}),
              ...(isIntent(intent) ? { intent } : {}),
              ...(isChannel(channel) ? { channel } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = replies.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <>
      <PageHeader title="Inbox" intro="Every reply on every channel, newest first." />
      <div className="filters">
        <fieldset className="inline">
          <legend>Show</legend>
          <label>
            <input type="radio" name="inbox-show" checked={!waiting} onChange={() => set('waiting', null)} /> All
          </label>
          <label>
            <input type="radio" name="inbox-show" checked={waiting} onChange={() => set('waiting', 'true')} /> Waiting
            for you
          </label>
        </fieldset>
        <Field label="Channel">
          <select value={channel} onChange={(e) => set('channel', e.target.value)}>
            <option value="">Every channel</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {CHANNEL_NAMES[c]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Intent">
          <select value={intent} onChange={(e) => set('intent', e.target.value)}>
            <option value="">Any intent</option>
            {INTENTS.map((i) => (
              <option key={i} value={i}>
                {i.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div className="inbox">
        <div className="inbox-list">
          {replies.isPending ? <Loading what="replies" /> : null}
          <ErrorNote error={replies.error} what="Could not load replies" />
          {replies.isSuccess && rows.length === 0 ? (
            <Empty title={waiting ? 'Nothing waiting for you' : 'No replies yet'}>
              <p>
                Replies on email, WhatsApp, SMS and LinkedIn land here as they are read from your mailboxes and
                providers, or logged by hand on a message (on the contact's page).
              </p>
            </Empty>
          ) : null}
          <ul aria-label="Replies">
            {rows.map((r) => (
              <li key={r.id}>
                <button
                  type="button"
                  className={selected === r.id ? 'reply-item selected' : 'reply-item'}
                  aria-current={selected === r.id ? 'true' : undefined}
                  onClick={() => set('reply', r.id)}
                >
                  <span className="reply-who">
                    {r.contact.name || r.contact.email} <Badge value={r.intent} />
                  </span>
                  <span className="reply-excerpt">{r.body.slice(0, 120)}</span>
                  <span className="reply-meta">
                    {CHANNEL_NAMES[r.channel] ?? r.channel} · {r.sequenceName} · {when(r.receivedAt)}
                    {r.lastAction ? ` · ${r.lastAction.action}` : ''}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {replies.hasNextPage ? (
            <button type="button" onClick={() => void replies.fetchNextPage()}>
              Older replies
            </button>
          ) : null}
        </div>
        <div className="inbox-detail">
          {selected ? (
            <ReplyPanel id={selected} />
          ) : (
            <p className="muted">Choose a reply to read the conversation and act on it.</p>
          )}
        </div>
      </div>
    </>
  );
}
