import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { Field } from '../ui/Field';
import { ErrorNote, Loading } from '../ui/kit';
import { useSessionQuery, useSetSession } from '../session';

/** Only paths inside the dashboard: never an open redirect. */
export const safeNext = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') ? next : '/');

export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const session = useSessionQuery();
  const setSession = useSetSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/session', { body: { email, password } })),
    onSuccess: (data) => {
      setSession(data);
      void navigate(safeNext(params.get('next')), { replace: true });
    },
  });
  if (session.isPending) return <Loading what="QuotaHit" />;
  if (session.data) return <Navigate to={safeNext(params.get('next'))} replace />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate();
  };
  return (
    <main className="centered">
      <form className="card auth" onSubmit={submit}>
        <h1>Sign in to QuotaHit</h1>
        <Field label="Email">
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </Field>
        <Field label="Password">
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <ErrorNote error={signIn.error} />
        <button type="submit" className="primary" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">
          First time here? Open the link <code>npm start</code> printed (“Set the owner&apos;s password: …”), or run{' '}
          <code>npx quotahit setup-link</code> for a new one. Members get a link from the owner.
        </p>
      </form>
    </main>
  );
}
