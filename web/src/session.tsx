// The signed-in member: GET /v1/session answers the member, the workspace and the CSRF token.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { api, ApiFailure, setCsrfToken, unwrap } from './api/client';
import type { Session } from './api/types';

export const SESSION_KEY = ['session'] as const;

/** Set next to the HttpOnly session cookie (no secret): without it there is no session to ask for. */
const mayBeSignedIn = () => document.cookie.split(';').some((c) => c.trim().startsWith('qh_signed_in=1'));

export async function fetchSession(): Promise<Session | null> {
  if (!mayBeSignedIn()) {
    setCsrfToken(null);
    return null;
  }
  try {
    const session = await unwrap(api.GET('/v1/session'));
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

export function SessionProvider(props: { session: Session; children: ReactNode }) {
  return <SessionContext.Provider value={props.session}>{props.children}</SessionContext.Provider>;
}

export function useSessionQuery() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 60_000 });
}

/** After sign-in, setup or sign-out: the new session (or none) everywhere at once. */
export function useSetSession() {
  const client = useQueryClient();
  return (session: Session | null) => {
    setCsrfToken(session?.csrfToken ?? null);
    client.clear();
    client.setQueryData(SESSION_KEY, session);
  };
}
