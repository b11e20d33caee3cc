// Analytics per sequence: per step, channel and variant (sent, delivered, opened by a person,
// clicked, replied, bounced, unsubscribed, positive replies), the variant verdict, and charts over time.
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api, unwrap } from '../api/client';
import { num, text } from '../api/read';
import { Field } from '../ui/Field';
import { Empty, ErrorNote, Loading, PageHeader } from '../ui/kit';

const METRICS = [
  'sent',
  'delivered',
  'opened',
  'clicked',
  'replied',
  'positiveReplies',
  'bounced',
  'unsubscribed',
] as const;
const HEADINGS: Record<(typeof METRICS)[number], string> = {
  sent: 'Sent',
  delivered: 'Delivered',
  opened: 'Opened',
  clicked: 'Clicked',
  replied: 'Replied',
  positiveReplies: 'Positive',
  bounced: 'Bounced',
  unsubscribed: 'Unsubscribed',
};
// Colours with enough contrast on white, told apart by the legend's labels too.
const COLOURS = { sent: '#1f4fd1', opened: '#0f766e', clicked: '#a16207', replied: '#b91c1c' } as const;

export function AnalyticsPage() {
  const [params, setParams] = useSearchParams();
  const sequences = useQuery({ queryKey: ['sequences'], queryFn: () => unwrap(api.GET('/v1/sequences')) });
  const chosen = params.get('sequence') ?? sequences.data?.data[0]?.id ?? '';
  const stats = useQuery({
    queryKey: ['analytics', chosen],
    queryFn: () => unwrap(api.GET('/v1/analytics/sequences/{id}', { params: { path: { id: chosen } } })),
    enabled: chosen !== '',
  });
  const daily = useQuery({
    queryKey: ['analytics-daily', chosen],
    queryFn: () => unwrap(api.GET('/v1/analytics/sequences/{id}/daily', { params: { path: { id: chosen } } })),
    enabled: chosen !== '',
  });
  if (sequences.isPending) return <Loading what="sequences" />;
  if (sequences.isError) return <ErrorNote error={sequences.error} what="Could not load sequences" />;
  if (sequences.data.data.length === 0)
    return (
      <>
        <PageHeader title="Analytics" />
        <Empty title="Nothing to measure yet">
          <p>
            <Link to="/sequences/new">Create a sequence</Link> and enroll contacts; results appear here as messages go
            out and replies come back.
          </p>
        </Empty>
      </>
    );
  const perStep = (stats.data?.steps ?? []).map((row) => ({
    name: `Step ${(num(row, 'step') ?? 0) + 1} ${text(row, 'channel') ?? ''}${(num(row, 'variant') ?? 0) > 0 ? ` v${(num(row, 'variant') ?? 0) + 1}` : ''}`,
    row,
  }));
  return (
    <>
      <PageHeader
        title="Analytics"
        intro="Opens and clicks count people only: machine opens (scanners, proxies) are left out."
      />
      <div className="filters">
        <Field label="Sequence">
          <select value={chosen} onChange={(e) => setParams({ sequence: e.target.value })}>
            {sequences.data.data.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {stats.isPending ? <Loading what="results" /> : null}
      <ErrorNote error={stats.error ?? daily.error} what="Could not load results" />
      {stats.data && perStep.length === 0 ? (
        <Empty title="No message sent yet">
          <p>Enroll contacts in this sequence; each step's results appear once its messages go out.</p>
        </Empty>
      ) : null}
      {perStep.length > 0 ? (
        <>
          <div className="table-wrap">
            <table>
              <caption>Per step, channel and variant</caption>
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  {METRICS.map((m) => (
                    <th key={m} scope="col">
                      {HEADINGS[m]}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {perStep.map(({ name, row }) => (
                  <tr key={name}>
                    <th scope="row">{name}</th>
                    {METRICS.map((m) => (
                      <td key={m}>{num(row, m) ?? 0}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <section className="card">
            <h2>Variant verdicts</h2>
            <ul>
              {stats.data?.winners.map((w) => (
                <li key={`${w.step}-${w.channel}`}>
                  Step {w.step + 1} ({w.channel}):{' '}
                  {w.winner === null ? 'no winner yet' : `variant ${w.winner + 1} wins`} — {w.reason}
                </li>
              ))}
            </ul>
          </section>
          <div className="columns">
            <section className="card chart" aria-label="Per step chart">
              <h2>Per step</h2>
              <ResponsiveContainer width="100%" height={260}>
                <BarChart
                  data={perStep.map(({ name, row }) => ({
                    name,
                    sent: num(row, 'sent') ?? 0,
                    replied: num(row, 'replied') ?? 0,
                  }))}
                >
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="name" fontSize={12} />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Legend />
                  <Bar dataKey="sent" name="Sent" fill={COLOURS.sent} isAnimationActive={false} />
                  <Bar dataKey="replied" name="Replied" fill={COLOURS.replied} isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </section>
            <section className="card chart" aria-label="Over time chart">
              <h2>Over time</h2>
              <ResponsiveContainer width="100%" height={260}>
                <LineChart data={daily.data?.days ?? []}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="day" fontSize={12} />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Legend />
                  {(['sent', 'opened', 'clicked', 'replied'] as const).map((k) => (
                    <Line
                      key={k}
                      type="monotone"
                      dataKey={k}
                      name={k}
                      stroke={COLOURS[k]}
                      strokeWidth={2}
                      isAnimationActive={false}
                    />
                  ))}
                </LineChart>
              </ResponsiveContainer>
            </section>
          </div>
        </>
      ) : null}
    </>
  );
}
