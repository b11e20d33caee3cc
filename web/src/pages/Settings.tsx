// Settings: the workspace (name, offer, postal address, default time zone), members, API keys.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import type { Workspace } from '../api/types';
import { Field } from '../ui/Field';
import { ErrorNote, Loading, Notice, PageHeader } from '../ui/kit';
import { ApiKeys } from './ApiKeys';
import { Members } from './Members';

function WorkspaceForm(props: { workspace: Workspace }) {
  const client = useQueryClient();
  const [form, setForm] = useState({
    name: props.workspace.name,
    offer: props.workspace.offer ?? '',
    postalAddress: props.workspace.postalAddress ?? '',
    defaultTimezone: props.workspace.defaultTimezone,
  });
  useEffect(() => {
    setForm({
      name: props.workspace.name,
      offer: props.workspace.offer ?? '',
      postalAddress: props.workspace.postalAddress ?? '',
      defaultTimezone: props.workspace.defaultTimezone,
    });
  }, [props.workspace]);
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH('/v1/workspace', {
          body: {
            name: form.name,
            offer: form.offer || null,
            postalAddress: form.postalAddress || null,
            defaultTimezone: form.defaultTimezone,
          },
        }),
      ),
    onSuccess: (data) => {
      client.setQueryData(['workspace'], data);
      void client.invalidateQueries({ queryKey: ['session'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="card" onSubmit={submit}>
      <h2>Workspace</h2>
      <Field label="Name">
        <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      </Field>
      <Field label="Offer" hint="What you sell and for whom: the writer builds every message on it">
        <textarea rows={4} value={form.offer} onChange={(e) => setForm({ ...form, offer: e.target.value })} />
      </Field>
      <Field label="Postal address" hint="Printed in every email footer (required by anti-spam law in many countries)">
        <textarea
          rows={3}
          value={form.postalAddress}
          onChange={(e) => setForm({ ...form, postalAddress: e.target.value })}
        />
      </Field>
      <Field label="Default time zone" hint="IANA name, e.g. Europe/Berlin">
        <input value={form.defaultTimezone} onChange={(e) => setForm({ ...form, defaultTimezone: e.target.value })} />
      </Field>
      <ErrorNote error={save.error} what="Not saved" />
      {save.isSuccess ? <Notice>Saved.</Notice> : null}
      <button type="submit" className="primary" disabled={save.isPending}>
        {save.isPending ? 'Saving…' : 'Save'}
      </button>
    </form>
  );
}

export function SettingsPage() {
  const workspace = useQuery({ queryKey: ['workspace'], queryFn: () => unwrap(api.GET('/v1/workspace')) });
  return (
    <>
      <PageHeader title="Settings" />
      {workspace.isPending ? <Loading what="the workspace" /> : null}
      <ErrorNote error={workspace.error} what="Could not load the workspace" />
      {workspace.data ? <WorkspaceForm workspace={workspace.data} /> : null}
      <Members />
      <ApiKeys />
    </>
  );
}
