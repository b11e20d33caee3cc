import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { list, text, when } from '../api/read';
import { Badge, Empty, ErrorNote, Loading, PageHeader } from '../ui/kit';

export function SequencesPage() {
  const sequences = useQuery({ queryKey: ['sequences'], queryFn: () => unwrap(api.GET('/v1/sequences')) });
  return (
    <>
      <PageHeader
        title="Sequences"
        intro="Multi-channel sequences: the engine writes every message and stops when someone answers."
        actions={
          <Link className="button primary" to="/sequences/new">
            New sequence
          </Link>
        }
      />
      {sequences.isPending ? <Loading what="sequences" /> : null}
      <ErrorNote error={sequences.error} what="Could not load sequences" />
      {sequences.data?.data.length === 0 ? (
        <Empty title="No sequence yet">
          <p>
            <Link to="/sequences/new">Build one from a preset</Link>: pick a ready-made cadence, adjust steps and
            schedule, then enroll contacts.
          </p>
        </Empty>
      ) : null}
      {sequences.data && sequences.data.data.length > 0 ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Steps</th>
                <th scope="col">Channels</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {sequences.data.data.map((s) => (
                <tr key={s.id}>
                  <td>
                    <Link to={`/sequences/${s.id}`}>{s.name}</Link>
                  </td>
                  <td>{s.steps.length}</td>
                  <td>{[...new Set(list(s, 'steps').map((step) => text(step, 'channel')))].join(', ')}</td>
                  <td>
                    <Badge value={text(s, 'status') ?? 'active'} />
                  </td>
                  <td>{when(text(s, 'createdAt'))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
