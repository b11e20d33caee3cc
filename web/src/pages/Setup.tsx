// The one-time link page: the owner's first-run link (/setup?token=…) or an invitation
// (/invite?token=…). Asks for name, email and password, then signs the person in.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { Field } from '../ui/Field';
import { ErrorNote, Loading } from '../ui/kit';
import { useSetSession } from '../session';

export function SetupPage(props: { kind: 'owner' | 'invite' }) {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const navigate = useNavigate();
  const setSession = useSetSession();
  const [used, setUsed] = useState(false);
  const link = useQuery({
    queryKey: ['setup-link', token],
    queryFn: () => unwrap(api.POST('/v1/setup/inspect', { body: { token } })),
    // Once used, asking again would only answer 410.
    enabled: token.length > 0 && !used,
    retry: false,
    staleTime: Infinity,
  });
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/v1/setup', { body: { token, name, email: link.data?.email ?? email, password } })),
    onSuccess: (data) => {
      setUsed(true);
      void navigate('/', { replace: true });
      setSession(data);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (password !== repeat) {
      setMismatch('The two passwords differ');
      return;
    }
    setMismatch(null);
    save.mutate();
  };
  const title = props.kind === 'owner' ? "Set the owner's password" : 'Join your team on QuotaHit';

  if (!token)
    return (
      <main className="centered">
        <div className="card auth">
          <h1>{title}</h1>
          <p>
            This page needs the link with its token. Run <code>npx quotahit setup-link</code> for a new one.
          </p>
        </div>
      </main>
    );
  if (link.isPending) return <Loading what="your link" />;
  if (link.isError)
    return (
      <main className="centered">
        <div className="card auth">
          <h1>{title}</h1>
          <ErrorNote error={link.error} />
          <p>
            <Link to="/sign-in">Go to sign-in</Link>
          </p>
        </div>
      </main>
    );
  const info = link.data;
  return (
    <main className="centered">
      <form className="card auth" onSubmit={submit}>
        <h1>{title}</h1>
        <p className="intro">
          {info.kind === 'owner'
            ? info.owner
              ? `This resets the owner of “${info.workspaceName}” (${info.owner.email}): other sessions end.`
              : `You will own the workspace “${info.workspaceName}” and can invite your team.`
            : `You were invited to “${info.workspaceName}”.`}{' '}
          The link works once and until {new Date(info.expiresAt).toLocaleString()}.
        </p>
        <Field label="Your name">
          <input autoComplete="name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Email" hint={info.email ? 'The address you were invited with' : undefined}>
          <input
            type="email"
            autoComplete="username"
            required
            readOnly={Boolean(info.email)}
            value={info.email ?? email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </Field>
        <Field label="Password" hint="At least 10 characters">
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <Field label="Repeat the password" error={mismatch}>
          <input
            type="password"
            autoComplete="new-password"
            required
            value={repeat}
            onChange={(e) => setRepeat(e.target.value)}
          />
        </Field>
        <ErrorNote error={save.error} />
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save and sign in'}
        </button>
      </form>
    </main>
  );
}
