// Members and invitations: the owner invites by email and passes on the one-time link.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { when } from '../api/read';
import { useSession } from '../session';
import { Field } from '../ui/Field';
import { Badge, ErrorNote, Loading, Notice } from '../ui/kit';

export function Members() {
  const me = useSession();
  const client = useQueryClient();
  const members = useQuery({ queryKey: ['members'], queryFn: () => unwrap(api.GET('/v1/members')) });
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'member' | 'owner'>('member');
  const invite = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/members/invites', { body: { email, role } })),
    onSuccess: () => {
      setEmail('');
      void client.invalidateQueries({ queryKey: ['members'] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/members/{id}', { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['members'] }),
  });
  const isOwner = me.member === null || me.member.role === 'owner';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate();
  };
  return (
    <section className="card">
      <h2>Members</h2>
      {members.isPending ? <Loading what="members" /> : null}
      <ErrorNote error={members.error ?? remove.error} />
      <ul className="plain">
        {members.data?.data.map((m) => (
          <li key={m.id} className="member">
            <span>
              <strong>{m.name}</strong> {m.email} <Badge value={m.role} />
            </span>
            {isOwner && m.id !== me.member?.id ? (
              <button
                type="button"
                className="link danger"
                onClick={() => {
                  if (window.confirm(`Remove ${m.name}?`)) remove.mutate(m.id);
                }}
              >
                Remove {m.name}
              </button>
            ) : null}
          </li>
        ))}
        {members.data?.invites.map((i) => (
          <li key={i.id} className="member muted">
            Invited: {i.email} ({i.role}) — link valid until {when(i.expiresAt)}
          </li>
        ))}
      </ul>
      {isOwner ? (
        <form onSubmit={submit} className="row">
          <Field label="Invite by email">
            <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </Field>
          <Field label="Role">
            <select value={role} onChange={(e) => setRole(e.target.value === 'owner' ? 'owner' : 'member')}>
              <option value="member">member</option>
              <option value="owner">owner</option>
            </select>
          </Field>
          <button type="submit" disabled={invite.isPending}>
            Create invitation
          </button>
        </form>
      ) : (
        <p className="muted">Only an owner can invite members.</p>
      )}
      <ErrorNote error={invite.error} what="No invitation" />
      {invite.data ? (
        <Notice>
          Send this link to {invite.data.email} (valid until {when(invite.data.expiresAt)}, works once):{' '}
          <code className="secret">{invite.data.url}</code>
        </Notice>
      ) : null}
    </section>
  );
}
