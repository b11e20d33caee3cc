// One sequence: its steps, enroll (by tag or selection), pause/resume all, who is in it, the
// simulated calendar and a message preview per step for a chosen contact.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { list, num, text, when } from '../api/read';
import { Badge, ErrorNote, Loading, Notice, PageHeader } from '../ui/kit';
import { Enroll } from './Enroll';
import { Preview } from './Preview';
import { Simulate } from './Simulate';

export function SequencePage() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const sequence = useQuery({
    queryKey: ['sequence', id],
    queryFn: () => unwrap(api.GET('/v1/sequences/{id}', { params: { path: { id } } })),
  });
  const enrollments = useQuery({
    queryKey: ['enrollments', id],
    queryFn: () =>
      unwrap(api.GET('/v1/sequences/{id}/enrollments', { params: { path: { id }, query: { limit: 200 } } })),
  });
  const toggle = useMutation({
    mutationFn: (action: 'pause' | 'resume') =>
      unwrap(
        action === 'pause'
          ? api.POST('/v1/sequences/{id}/enrollments/pause', { params: { path: { id } }, body: {} })
          : api.POST('/v1/sequences/{id}/enrollments/resume', { params: { path: { id } }, body: {} }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['enrollments', id] }),
  });
  const resumeHealth = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/sequences/{id}/resume', { params: { path: { id } }, body: {} })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['sequence', id] }),
  });
  if (sequence.isPending) return <Loading what="the sequence" />;
  if (sequence.isError) return <ErrorNote error={sequence.error} what="Could not load the sequence" />;
  const s = sequence.data;
  const steps = list(s, 'steps');
  const counts = enrollments.data?.counts ?? {};
  const status = text(s, 'status') ?? 'active';
  return (
    <>
      <p className="crumbs">
        <Link to="/sequences">Sequences</Link> /
      </p>
      <PageHeader
        title={s.name}
        intro={
          <>
            <Badge value={status} /> {text(s, 'statusReason') ?? ''} · {counts.active ?? 0} active ·{' '}
            {counts.paused ?? 0} paused · {counts.completed ?? 0} completed · {counts.stopped ?? 0} stopped
          </>
        }
        actions={
          <>
            <button type="button" onClick={() => toggle.mutate('pause')} disabled={toggle.isPending}>
              Pause all
            </button>
            <button type="button" onClick={() => toggle.mutate('resume')} disabled={toggle.isPending}>
              Resume all
            </button>
            <Link className="button" to={`/analytics?sequence=${id}`}>
              Analytics
            </Link>
          </>
        }
      />
      {status === 'paused' ? (
        <Notice>
          Paused by its health: {text(s, 'statusReason')}.{' '}
          <button type="button" onClick={() => resumeHealth.mutate()}>
            Resume the sequence
          </button>
        </Notice>
      ) : null}
      <ErrorNote error={toggle.error ?? resumeHealth.error} />
      {toggle.data ? <Notice>{toggle.data.changed} enrollment(s) changed.</Notice> : null}
      <section className="card">
        <h2>Steps</h2>
        <ol className="step-list">
          {steps.map((step, i) => (
            <li key={i}>
              <strong>Day {num(step, 'day')}</strong> · {text(step, 'channel')} ·{' '}
              {text(step, 'template')?.replaceAll('_', ' ')}
              {list(step, 'conditions').length > 0
                ? ` · if ${list(step, 'conditions')
                    .map((c) => text(c, 'type')?.replaceAll('_', ' '))
                    .join(' and ')}`
                : ''}
            </li>
          ))}
        </ol>
      </section>
      <Enroll sequenceId={id} />
      <Simulate sequenceId={id} />
      <Preview steps={steps} />
      <section className="card">
        <h2>Enrolled contacts</h2>
        <ErrorNote error={enrollments.error} />
        {enrollments.data?.data.length === 0 ? <p className="muted">Nobody yet: enroll contacts above.</p> : null}
        {enrollments.data && enrollments.data.data.length > 0 ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Contact</th>
                  <th scope="col">Status</th>
                  <th scope="col">Next step</th>
                  <th scope="col">Next run</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {enrollments.data.data.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <Link to={`/contacts/${e.contactId}`}>{e.contact.name || e.contact.email}</Link>
                    </td>
                    <td>
                      <Badge value={e.status} />
                    </td>
                    <td>{e.status === 'completed' ? '—' : e.currentStep + 1}</td>
                    <td>{when(e.nextRunAt)}</td>
                    <td>{(e.stopReason ?? e.pauseReason ?? '').replaceAll('_', ' ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  );
}
