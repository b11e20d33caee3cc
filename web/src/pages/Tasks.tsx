// Tasks for a person: call tasks (a sequence's call step: talk track, click-to-call, outcome) and
// hand-offs (a positive reply, a call that went well, or one made by hand: summary, assignee, SLA,
// acknowledge, outcome). Each list pages on with "More".
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { api, unwrap } from '../api/client';
import type { CallTask, Handoff } from '../api/types';
import { Empty, ErrorNote, Loading, PageHeader } from '../ui/kit';
import { CallTaskCard } from './CallTaskCard';
import { HandoffCard } from './HandoffCard';

type Page<T> = { data: T[]; nextCursor: string | null };

function TaskList<T extends { id: string }>(props: {
  title: string;
  queryKey: unknown[];
  fetch: (cursor: string | undefined) => Promise<Page<T>>;
  keep: (item: T) => boolean;
  empty: { title: string; body: ReactNode };
  render: (item: T) => ReactNode;
}) {
  const query = useInfiniteQuery({
    queryKey: props.queryKey,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => props.fetch(pageParam),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = (query.data?.pages.flatMap((p) => p.data) ?? []).filter(props.keep);
  return (
    <section aria-label={props.title}>
      <h2>{props.title}</h2>
      {query.isPending ? <Loading what={props.title.toLowerCase()} /> : null}
      <ErrorNote error={query.error} what={`Could not load ${props.title.toLowerCase()}`} />
      {query.isSuccess && items.length === 0 ? <Empty title={props.empty.title}>{props.empty.body}</Empty> : null}
      <div className="task-list">{items.map((item) => props.render(item))}</div>
      {query.hasNextPage ? (
        <button type="button" onClick={() => void query.fetchNextPage()}>
          More {props.title.toLowerCase()}
        </button>
      ) : null}
    </section>
  );
}

export function TasksPage() {
  const [open, setOpen] = useState(true);
  const page = (cursor: string | undefined) => ({ limit: 25, ...(cursor ? { cursor } : {}) });
  return (
    <>
      <PageHeader
        title="Tasks"
        intro="Calls to make and people who answered and now need a human."
        actions={
          <label className="check">
            <input type="checkbox" checked={open} onChange={(e) => setOpen(e.target.checked)} /> Only open ones
          </label>
        }
      />
      <TaskList<CallTask>
        title="Calls"
        queryKey={['tasks']}
        fetch={(cursor) => unwrap(api.GET('/v1/tasks', { params: { query: page(cursor) } }))}
        keep={(task) => !open || task.status !== 'done'}
        empty={{
          title: open ? 'No call to make' : 'No call task yet',
          body: <p>A sequence step on the call channel leaves a task here, with a talk track, on its day.</p>,
        }}
        render={(task) => <CallTaskCard key={task.id} task={task} />}
      />
      <TaskList<Handoff>
        title="Hand-offs"
        queryKey={['handoffs', open]}
        fetch={(cursor) =>
          unwrap(
            api.GET('/v1/handoffs', { params: { query: { ...page(cursor), ...(open ? { status: 'open' } : {}) } } }),
          )
        }
        keep={() => true}
        empty={{
          title: open ? 'No open hand-off' : 'No hand-off yet',
          body: (
            <p>
              When someone replies with interest, a meeting request or a question, a call goes well, or you mark a reply
              interested in the Inbox, it lands here for a person to follow up.
            </p>
          ),
        }}
        render={(handoff) => <HandoffCard key={handoff.id} handoff={handoff} />}
      />
    </>
  );
}
