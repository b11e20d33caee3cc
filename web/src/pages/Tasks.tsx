// Tasks for a person. Today: hand-offs (a positive reply, or one marked interested in the inbox),
// each with what the contact said, a talk track from what we know, click-to-call when there is a
// phone number, and the outcome form. Further kinds (call tasks) are added to TASK_SOURCES.
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import type { FeedItem } from '../api/types';
import { Empty, ErrorNote, Loading, PageHeader } from '../ui/kit';
import { HandoffCard } from './HandoffCard';

const TASK_SOURCES = [{ id: 'handoffs', title: 'Hand-offs', types: 'handoff' }] as const;

function TaskSource(props: { title: string; types: string; open: boolean }) {
  const tasks = useInfiniteQuery({
    queryKey: ['handoffs', props.types, props.open],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/activities', {
          params: {
            query: {
              type: props.types,
              limit: 25,
              ...(props.open ? { open: 'true' as const } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items: FeedItem[] = tasks.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section aria-label={props.title}>
      <h2>{props.title}</h2>
      {tasks.isPending ? <Loading what={props.title.toLowerCase()} /> : null}
      <ErrorNote error={tasks.error} />
      {tasks.isSuccess && items.length === 0 ? (
        <Empty title={props.open ? 'No open hand-off' : 'No hand-off yet'}>
          <p>
            When someone replies with interest, a meeting request or a question, or you mark a reply interested in the
            Inbox, it lands here for a person to follow up.
          </p>
        </Empty>
      ) : null}
      <div className="task-list">
        {items.map((item) => (
          <HandoffCard key={item.id} item={item} />
        ))}
      </div>
      {tasks.hasNextPage ? (
        <button type="button" onClick={() => void tasks.fetchNextPage()}>
          More
        </button>
      ) : null}
    </section>
  );
}

export function TasksPage() {
  const [open, setOpen] = useState(true);
  return (
    <>
      <PageHeader
        title="Tasks"
        intro="People who answered and now need a human."
        actions={
          <label className="check">
            <input type="checkbox" checked={open} onChange={(e) => setOpen(e.target.checked)} /> Only open ones
          </label>
        }
      />
      {TASK_SOURCES.map((source) => (
        <TaskSource key={source.id} title={source.title} types={source.types} open={open} />
      ))}
    </>
  );
}
