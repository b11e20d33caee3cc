// API keys: create (the key is shown once, here), list, revoke (it stops working at once).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { when } from '../api/read';
import { Field } from '../ui/Field';
import { Badge, ErrorNote, Loading, Notice } from '../ui/kit';

export function ApiKeys() {
  const client = useQueryClient();
  const keys = useQuery({ queryKey: ['keys'], queryFn: () => unwrap(api.GET('/v1/keys')) });
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/keys', { body: { name } })),
    onSuccess: () => {
      setName('');
      void client.invalidateQueries({ queryKey: ['keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/keys/{id}', { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['keys'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <section className="card">
      <h2>API keys</h2>
      <p className="muted">
        For scripts and integrations: send it as <code>Authorization: Bearer qh_…</code>.
      </p>
      {keys.isPending ? <Loading what="API keys" /> : null}
      <ErrorNote error={keys.error ?? revoke.error} />
      {keys.data && keys.data.data.length > 0 ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.data.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>{when(k.createdAt)}</td>
                  <td>{when(k.lastUsedAt)}</td>
                  <td>
                    <Badge value={k.revokedAt ? 'revoked' : 'active'} />
                  </td>
                  <td>
                    {k.revokedAt ? null : (
                      <button
                        type="button"
                        className="link danger"
                        disabled={revoke.isPending}
                        onClick={() => {
                          if (window.confirm(`Revoke the key “${k.name}”? Requests with it fail from now on.`))
                            revoke.mutate(k.id);
                        }}
                      >
                        Revoke {k.name}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form onSubmit={submit} className="row">
        <Field label="New key name">
          <input
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="CRM sync"
          />
        </Field>
        <button type="submit" disabled={create.isPending}>
          Create key
        </button>
      </form>
      <ErrorNote error={create.error} what="No key" />
      {create.data ? (
        <Notice>
          Copy the key now, it is shown only once: <code className="secret">{create.data.key}</code>
        </Notice>
      ) : null}
    </section>
  );
}
