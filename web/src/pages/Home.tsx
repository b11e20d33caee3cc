// Home: what went out today per channel, replies waiting, hand-offs open, accounts needing
// attention, and what to do next on an empty workspace.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { Badge, Empty, ErrorNote, Loading, PageHeader, Stat } from '../ui/kit';

export function HomePage() {
  const home = useQuery({ queryKey: ['home'], queryFn: () => unwrap(api.GET('/v1/home')) });
  if (home.isPending) return <Loading what="today's summary" />;
  if (home.isError) return <ErrorNote error={home.error} what="Could not load Home" />;
  const h = home.data;
  const sent = h.sentToday.reduce((sum, c) => sum + c.sent, 0);
  const firstSteps = [
    { done: h.counts.contacts > 0, text: 'Import your contacts', to: '/contacts' },
    { done: h.counts.sequences > 0, text: 'Build a sequence from a preset', to: '/sequences/new' },
    { done: h.counts.activeEnrollments > 0, text: 'Enroll contacts and watch the first messages', to: '/sequences' },
    {
      done: h.counts.accounts > 0,
      text: 'Connect a sending account (until then, messages go to the sandbox)',
      to: '/accounts',
    },
  ];
  return (
    <>
      <PageHeader title="Home" intro={`Today, ${h.day} (${h.timezone})`} />
      <section className="stats" aria-label="Today">
        <Stat
          label="sent today"
          value={sent}
          hint={h.sentToday.map((c) => `${c.channel} ${c.sent}`).join(' · ') || 'nothing yet'}
        />
        <Stat label="replies waiting" value={<Link to="/inbox?waiting=true">{h.repliesWaiting}</Link>} />
        <Stat label="hand-offs open" value={<Link to="/tasks">{h.handoffsOpen}</Link>} />
        <Stat label="tasks due" value={<Link to="/tasks">{h.tasksDue}</Link>} hint="calls due today" />
      </section>
      {firstSteps.some((s) => !s.done) ? (
        <section className="card">
          <h2>Get going</h2>
          <ol className="checklist">
            {firstSteps.map((s) => (
              <li key={s.text} className={s.done ? 'done' : ''}>
                {s.done ? <span aria-label="done">✓ </span> : null}
                <Link to={s.to}>{s.text}</Link>
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      <section className="card">
        <h2>Accounts needing attention</h2>
        {h.accountsNeedingAttention.length === 0 ? (
          <Empty title="All accounts are healthy">
            <p>
              No account is paused, disconnected or near today&apos;s cap. <Link to="/accounts">See all accounts</Link>.
            </p>
          </Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Channel</th>
                <th scope="col">Status</th>
                <th scope="col">Today</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {h.accountsNeedingAttention.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Link to="/accounts">{a.name}</Link>
                  </td>
                  <td>{a.channel}</td>
                  <td>
                    <Badge value={a.status} />
                  </td>
                  <td>
                    {a.sentToday} / {a.todayCap}
                  </td>
                  <td>{a.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
