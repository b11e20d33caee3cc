// Log a reply that arrived elsewhere (a phone call, LinkedIn, another inbox): it is classified and
// acts like a detected reply — the sequence stops, a positive one is handed off.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { Field } from '../ui/Field';
import { ErrorNote, Notice } from '../ui/kit';

export function LogReply(props: { messageId: string }) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [body, setBody] = useState('');
  const log = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/v1/messages/{id}/replies', { params: { path: { id: props.messageId } }, body: { body } })),
    onSuccess: () => {
      setBody('');
      setOpen(false);
      for (const key of ['timeline', 'replies', 'home', 'handoffs', 'contact'])
        void client.invalidateQueries({ queryKey: [key] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    log.mutate();
  };
  if (!open)
    return (
      <>
        {log.data ? (
          <Notice>
            Reply logged: {log.data.intent.replaceAll('_', ' ')} — {log.data.action}. It is in the Inbox.
          </Notice>
        ) : null}
        <button type="button" className="link" onClick={() => setOpen(true)}>
          Log a reply to this message
        </button>
      </>
    );
  return (
    <form onSubmit={submit} className="log-reply">
      <Field label="What they answered">
        <textarea rows={3} required value={body} onChange={(e) => setBody(e.target.value)} />
      </Field>
      <ErrorNote error={log.error} what="Not logged" />
      <div className="row-actions">
        <button type="submit" className="primary" disabled={log.isPending}>
          Log reply
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
