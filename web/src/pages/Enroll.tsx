// Enroll contacts by tag or by picking them; each one not enrolled is listed with the reason.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { contactName } from '../api/read';
import { Field } from '../ui/Field';
import { ErrorNote, Notice } from '../ui/kit';

export function Enroll(props: { sequenceId: string }) {
  const client = useQueryClient();
  const [mode, setMode] = useState<'tag' | 'pick'>('tag');
  const [tag, setTag] = useState('');
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const tags = useQuery({ queryKey: ['tags'], queryFn: () => unwrap(api.GET('/v1/tags')) });
  const candidates = useQuery({
    queryKey: ['contacts', 'pick', q],
    queryFn: () => unwrap(api.GET('/v1/contacts/search', { params: { query: { limit: 25, ...(q ? { q } : {}) } } })),
    enabled: mode === 'pick',
  });
  const enroll = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/sequences/{id}/enrollments', {
          params: { path: { id: props.sequenceId } },
          body: mode === 'tag' ? { tag } : { contactIds: picked },
        }),
      ),
    onSuccess: () => {
      setPicked([]);
      void client.invalidateQueries({ queryKey: ['enrollments', props.sequenceId] });
      void client.invalidateQueries({ queryKey: ['home'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    enroll.mutate();
  };
  return (
    <section className="card">
      <h2>Enroll</h2>
      <form onSubmit={submit}>
        <fieldset className="inline">
          <legend>Who</legend>
          <label>
            <input type="radio" name="enroll-mode" checked={mode === 'tag'} onChange={() => setMode('tag')} /> Everyone
            with a tag
          </label>
          <label>
            <input type="radio" name="enroll-mode" checked={mode === 'pick'} onChange={() => setMode('pick')} /> Pick
            contacts
          </label>
        </fieldset>
        {mode === 'tag' ? (
          <Field label="Tag">
            <select required value={tag} onChange={(e) => setTag(e.target.value)}>
              <option value="">Choose a tag</option>
              {tags.data?.data.map((t) => (
                <option key={t.tag} value={t.tag}>
                  {t.tag} ({t.contacts})
                </option>
              ))}
            </select>
          </Field>
        ) : (
          <>
            <Field label="Find contacts">
              <input
                type="search"
                value={q}
                onChange={(e) => setQ(e.target.value)}
                placeholder="Name, email, company"
              />
            </Field>
            <ul className="pick-list">
              {candidates.data?.data.map((c) => (
                <li key={c.id}>
                  <label>
                    <input
                      type="checkbox"
                      checked={picked.includes(c.id)}
                      onChange={(e) =>
                        setPicked(e.target.checked ? [...picked, c.id] : picked.filter((x) => x !== c.id))
                      }
                    />{' '}
                    {contactName(c)}
                  </label>
                </li>
              ))}
            </ul>
          </>
        )}
        <ErrorNote error={enroll.error} what="Not enrolled" />
        <button
          type="submit"
          className="primary"
          disabled={enroll.isPending || (mode === 'tag' ? !tag : picked.length === 0)}
        >
          {enroll.isPending ? 'Enrolling…' : mode === 'tag' ? 'Enroll the tag' : `Enroll ${picked.length} contact(s)`}
        </button>
      </form>
      {enroll.data ? (
        <Notice>
          {enroll.data.enrolled.length} enrolled
          {enroll.data.skipped.length > 0
            ? `; skipped: ${enroll.data.skipped.map((s) => s.reason.replaceAll('_', ' ')).join(', ')}`
            : ''}
          . The first messages go out within the sending window.
        </Notice>
      ) : null}
    </section>
  );
}
