// Sending accounts per channel: caps (changed here), today's usage, warm-up day, health, status and
// its reason, the provider's own sending limit while it lasts; connect Gmail (OAuth), add SMTP or
// Resend, WhatsApp (Meta, Gallabox), SMS and calls (Twilio), LinkedIn (Phantombuster); resume a
// paused account.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { num, obj, text, type Loose } from '../api/read';
import { Badge, Empty, ErrorNote, Loading, Notice, PageHeader } from '../ui/kit';
import type { Sender } from '../api/types';
import { AccountLimits } from './AccountLimits';
import { AddAccount } from './AddAccount';
import { AddChannelAccount, CHANNEL_ACCOUNTS, type ChannelKind } from './AddChannelAccount';
import { CHANNEL_NAMES } from './ReplyPanel';

const percent = (rate: number | null) => `${((rate ?? 0) * 100).toFixed(1)} %`;

/** Bounce and complaint rates over the recent sends (the engine pauses an account above its limits). */
function healthText(health: Loose): string {
  const sends = num(health, 'sends') ?? 0;
  if (sends === 0) return 'no sends yet';
  return `bounces ${percent(num(health, 'bounceRate'))} · complaints ${percent(num(health, 'complaintRate'))} of ${sends}`;
}

/** The provider's own limit (a day's quota reached), while it lasts: nothing goes out until then. */
function SendingLimit(props: { sender: Sender }) {
  const limit = obj(props.sender, 'sendingLimit');
  if (!limit) return null;
  return (
    <div className="sending-limit">
      <Badge value="limited" /> <span>{text(limit, 'message')}</span>
      {text(limit, 'reason') ? <div className="muted">{text(limit, 'reason')}</div> : null}
    </div>
  );
}

export function AccountsPage() {
  const client = useQueryClient();
  const [adding, setAdding] = useState<'smtp' | 'resend' | ChannelKind | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const senders = useQuery({ queryKey: ['senders'], queryFn: () => unwrap(api.GET('/v1/senders')) });
  const gmail = useMutation({
    mutationFn: () => unwrap(api.GET('/v1/oauth/{name}/start', { params: { path: { name: 'google' }, query: {} } })),
    onSuccess: (data) => {
      if ('url' in data && typeof data.url === 'string') window.location.assign(data.url);
    },
  });
  const resume = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/v1/senders/{id}/resume', { params: { path: { id } }, body: {} })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['senders'] });
      void client.invalidateQueries({ queryKey: ['home'] });
    },
  });
  return (
    <>
      <PageHeader
        title="Accounts"
        intro="The accounts QuotaHit sends through, each kept inside its daily cap and warm-up."
        actions={
          <>
            <button type="button" onClick={() => gmail.mutate()} disabled={gmail.isPending}>
              Connect Gmail
            </button>
            <button type="button" onClick={() => setAdding('smtp')}>
              Add SMTP
            </button>
            <button type="button" onClick={() => setAdding('resend')}>
              Add Resend
            </button>
            {(Object.keys(CHANNEL_ACCOUNTS) as ChannelKind[]).map((kind) => (
              <button key={kind} type="button" onClick={() => setAdding(kind)}>
                Add {CHANNEL_ACCOUNTS[kind].title}
              </button>
            ))}
          </>
        }
      />
      <ErrorNote error={gmail.error} what="Gmail" />
      {adding === 'smtp' || adding === 'resend' ? (
        <AddAccount provider={adding} onDone={() => setAdding(null)} />
      ) : adding ? (
        <AddChannelAccount key={adding} kind={adding} onDone={() => setAdding(null)} />
      ) : null}
      {senders.data?.data
        .filter((s) => s.id === editing)
        .map((s) => (
          <AccountLimits key={s.id} sender={s} onDone={() => setEditing(null)} />
        ))}
      {senders.isPending ? <Loading what="accounts" /> : null}
      <ErrorNote error={senders.error} what="Could not load accounts" />
      <ErrorNote error={resume.error} what="Not resumed" />
      {resume.data ? <Notice>Resumed: {resume.data.releasedSteps} held step(s) go out again.</Notice> : null}
      {senders.data?.data.length === 0 ? (
        <Empty title="No sending account yet">
          <p>
            Until you connect one, every message goes to the <strong>sandbox</strong>: stored and visible on each
            contact, sent nowhere. Connect Gmail, or add an SMTP or Resend account above.
          </p>
        </Empty>
      ) : null}
      {senders.data && senders.data.data.length > 0 ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Channel</th>
                <th scope="col">Status</th>
                <th scope="col">Today</th>
                <th scope="col">Daily limit</th>
                <th scope="col">Warm-up day</th>
                <th scope="col">Health</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {senders.data.data.map((s) => {
                const health = obj(s, 'health');
                const label = text(s, 'name') ?? text(s, 'fromEmail') ?? text(s, 'fromPhone') ?? s.provider;
                return (
                  <tr key={s.id}>
                    <td>
                      {label}
                      <div className="muted">{s.provider}</div>
                    </td>
                    <td>{CHANNEL_NAMES[s.channel] ?? s.channel}</td>
                    <td>
                      <Badge value={s.status} />
                      {text(s, 'statusReason') ? <div className="muted">{text(s, 'statusReason')}</div> : null}
                      <SendingLimit sender={s} />
                    </td>
                    <td>
                      {num(s, 'sentToday') ?? 0} / {num(s, 'todayCap') ?? 0}
                    </td>
                    <td>
                      {num(s, 'dailyLimit') ?? '—'}
                      {num(s, 'hourlyLimit') !== null ? (
                        <div className="muted">{num(s, 'hourlyLimit')} / hour</div>
                      ) : null}
                      {num(s, 'weeklyLimit') !== null ? (
                        <div className="muted">{num(s, 'weeklyLimit')} / week</div>
                      ) : null}
                    </td>
                    <td>{num(s, 'warmupDay') ?? '—'}</td>
                    <td>{health ? healthText(health) : '—'}</td>
                    <td className="row-actions">
                      <button type="button" onClick={() => setEditing(s.id)} aria-label={`Change limits of ${label}`}>
                        Limits
                      </button>
                      {s.status !== 'active' ? (
                        <button type="button" onClick={() => resume.mutate(s.id)} disabled={resume.isPending}>
                          Resume
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
