// Small building blocks every view uses: page header, loading, empty and error states, badges.
import type { ReactNode } from 'react';
import { ApiFailure } from '../api/client';

export function PageHeader(props: { title: string; intro?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.intro ? <p className="intro">{props.intro}</p> : null}
      </div>
      {props.actions ? <div className="actions">{props.actions}</div> : null}
    </header>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {props.what}…
    </p>
  );
}

export function Empty(props: { title: string; children: ReactNode }) {
  return (
    <div className="empty">
      <h2>{props.title}</h2>
      <div>{props.children}</div>
    </div>
  );
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiFailure) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}

export function ErrorNote(props: { error: unknown; what?: string }) {
  if (!props.error) return null;
  return (
    <div className="error-note" role="alert">
      {props.what ? <strong>{props.what}: </strong> : null}
      {messageOf(props.error)}
    </div>
  );
}

export function Notice(props: { children: ReactNode }) {
  return (
    <div className="notice" role="status">
      {props.children}
    </div>
  );
}

const TONES: Record<string, string> = {
  active: 'good',
  sent: 'good',
  delivered: 'good',
  interested: 'good',
  meeting_request: 'good',
  question: 'info',
  completed: 'info',
  replied: 'info',
  paused: 'warn',
  deferred: 'warn',
  not_now: 'warn',
  out_of_office: 'warn',
  failing: 'bad',
  disconnected: 'bad',
  failed: 'bad',
  bounced: 'bad',
  unsubscribed: 'bad',
  not_interested: 'bad',
  bounce: 'bad',
  unsubscribe: 'bad',
  stopped: 'muted',
  cancelled: 'muted',
};

export function Badge(props: { value: string | null | undefined }) {
  const value = props.value ?? '—';
  return <span className={`badge ${TONES[value] ?? 'muted'}`}>{value.replaceAll('_', ' ')}</span>;
}

export function Stat(props: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <div className="stat">
      <div className="stat-value">{props.value}</div>
      <div className="stat-label">{props.label}</div>
      {props.hint ? <div className="stat-hint">{props.hint}</div> : null}
    </div>
  );
}
