// Contacts: search and filters (tag, status, the channel they can be reached on), and the CSV import
// with a progress bar and each rejected row with its reason.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { contactName, strings, text } from '../api/read';
import { Badge, Empty, ErrorNote, Loading, PageHeader } from '../ui/kit';
import { Field } from '../ui/Field';
import { CsvImport } from './CsvImport';

const STATUSES = ['new', 'contacted', 'replied', 'interested', 'not_interested', 'unsubscribed', 'bounced'] as const;
const REACHABLE = ['email', 'phone', 'linkedin', 'whatsapp', 'sms'] as const;
type Status = (typeof STATUSES)[number];
type Reachable = (typeof REACHABLE)[number];
const isStatus = (v: string): v is Status => (STATUSES as readonly string[]).includes(v);
const isReachable = (v: string): v is Reachable => (REACHABLE as readonly string[]).includes(v);

export function ContactsPage() {
  const [params, setParams] = useSearchParams();
  const [q, setQ] = useState(params.get('q') ?? '');
  const tag = params.get('tag') ?? '';
  const status = params.get('status') ?? '';
  const reachable = params.get('reachable') ?? '';
  const [importing, setImporting] = useState(false);
  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const tags = useQuery({ queryKey: ['tags'], queryFn: () => unwrap(api.GET('/v1/tags')) });
  const query = params.get('q') ?? '';
  const contacts = useInfiniteQuery({
    queryKey: ['contacts', { query, tag, status, reachable }],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/contacts/search', {
          params: {
            query: {
              limit: 50,
              ...(pageParam ? { cursor: pageParam } : {}),
              ...(query ? { q: query } : {}),
              ...(tag ? { tag } : {}),
              ...(isStatus(status) ? { status } : {}),
              ...(isReachable(reachable) ? { reachable } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = contacts.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(query || tag || status || reachable);
  return (
    <>
      <PageHeader
        title="Contacts"
        intro="Everyone you can reach, with what you know about them."
        actions={
          <button type="button" className="primary" onClick={() => setImporting(!importing)} aria-expanded={importing}>
            Import CSV
          </button>
        }
      />
      {importing ? <CsvImport onClose={() => setImporting(false)} /> : null}
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter('q', q.trim());
        }}
      >
        <Field label="Search">
          <input type="search" placeholder="Name, email, company…" value={q} onChange={(e) => setQ(e.target.value)} />
        </Field>
        <Field label="Tag">
          <select value={tag} onChange={(e) => setFilter('tag', e.target.value)}>
            <option value="">Any tag</option>
            {tags.data?.data.map((t) => (
              <option key={t.tag} value={t.tag}>
                {t.tag} ({t.contacts})
              </option>
            ))}
          </select>
        </Field>
        <Field label="Status">
          <select value={status} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Reachable on">
          <select value={reachable} onChange={(e) => setFilter('reachable', e.target.value)}>
            <option value="">Any channel</option>
            {REACHABLE.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit">Search</button>
      </form>
      {contacts.isPending ? <Loading what="contacts" /> : null}
      <ErrorNote error={contacts.error} what="Could not load contacts" />
      {contacts.isSuccess && rows.length === 0 ? (
        filtered ? (
          <Empty title="No contact matches">
            <p>Change the search or the filters.</p>
          </Empty>
        ) : (
          <Empty title="No contacts yet">
            <p>
              Import a CSV file (a header row; <code>email</code>, <code>firstName</code>, <code>company</code>,{' '}
              <code>tags</code> separated by <code>;</code> …) with <strong>Import CSV</strong> above.
            </p>
          </Empty>
        )
      ) : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Company</th>
                <th scope="col">Tags</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/contacts/${c.id}`}>{contactName(c)}</Link>
                  </td>
                  <td>{text(c, 'email') ?? '—'}</td>
                  <td>{text(c, 'company') ?? '—'}</td>
                  <td>{strings(c, 'tags').join(', ') || '—'}</td>
                  <td>
                    <Badge value={c.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {contacts.hasNextPage ? (
        <button type="button" onClick={() => void contacts.fetchNextPage()} disabled={contacts.isFetchingNextPage}>
          {contacts.isFetchingNextPage ? 'Loading…' : 'Show more'}
        </button>
      ) : null}
    </>
  );
}
