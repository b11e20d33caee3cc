// The signed-in frame: one navigation (Home, Contacts, Sequences, Inbox, Tasks, Analytics,
// Accounts, Settings), the member and sign-out; on a phone the navigation folds behind a button.
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Navigate, NavLink, Outlet, useLocation } from 'react-router';
import { api, unwrap } from '../api/client';
import { ErrorNote, Loading } from '../ui/kit';
import { SessionProvider, useSessionQuery, useSetSession } from '../session';

export const NAV = [
  { to: '/', label: 'Home' },
  { to: '/contacts', label: 'Contacts' },
  { to: '/sequences', label: 'Sequences' },
  { to: '/inbox', label: 'Inbox' },
  { to: '/tasks', label: 'Tasks' },
  { to: '/analytics', label: 'Analytics' },
  { to: '/accounts', label: 'Accounts' },
  { to: '/settings', label: 'Settings' },
] as const;

export function Shell() {
  const session = useSessionQuery();
  const location = useLocation();
  const setSession = useSetSession();
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [location.pathname]);
  const signOut = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/session')),
    onSuccess: () => setSession(null),
  });

  if (session.isPending) return <Loading what="your workspace" />;
  if (session.isError)
    return (
      <main className="centered">
        <ErrorNote error={session.error} what="Could not reach QuotaHit" />
      </main>
    );
  if (!session.data) {
    const next = location.pathname + location.search;
    return <Navigate to={`/sign-in${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} replace />;
  }
  const me = session.data;
  return (
    <SessionProvider session={me}>
      <div className="shell">
        <a className="skip" href="#main">
          Skip to content
        </a>
        <header className="topbar">
          <span className="brand" aria-label="QuotaHit">
            <img src="/favicon.svg" alt="" width="24" height="24" /> QuotaHit
          </span>
          <span className="workspace-name">{me.workspace.name}</span>
          <button
            type="button"
            className="menu-button"
            aria-expanded={open}
            aria-controls="main-nav"
            onClick={() => setOpen(!open)}
          >
            Menu
          </button>
        </header>
        <nav id="main-nav" aria-label="Main" className={open ? 'nav open' : 'nav'}>
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.to === '/'}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
          <div className="me">
            <div className="me-name">{me.member?.name ?? 'API key'}</div>
            <div className="me-email">{me.member?.email}</div>
            {me.member ? (
              <button type="button" className="link" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
                Sign out
              </button>
            ) : null}
            <ErrorNote error={signOut.error} />
          </div>
        </nav>
        <main id="main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </SessionProvider>
  );
}
