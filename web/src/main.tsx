import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ApiFailure } from './api/client';
import { Shell } from './layout/Shell';
import { AccountsPage } from './pages/Accounts';
import { ContactPage } from './pages/Contact';
import { ContactsPage } from './pages/Contacts';
import { HomePage } from './pages/Home';
import { InboxPage } from './pages/Inbox';
import { NotFoundPage } from './pages/NotFound';
import { SequencePage } from './pages/Sequence';
import { SequenceBuilderPage } from './pages/SequenceBuilder';
import { SequencesPage } from './pages/Sequences';
import { SettingsPage } from './pages/Settings';
import { SetupPage } from './pages/Setup';
import { SignInPage } from './pages/SignIn';
import { TasksPage } from './pages/Tasks';
import { SESSION_KEY } from './session';
import { Loading } from './ui/kit';
import './styles.css';

// The charts library is the largest part of the bundle: loaded with the Analytics view only.
const AnalyticsPage = lazy(() => import('./pages/Analytics').then((m) => ({ default: m.AnalyticsPage })));

// A 401 anywhere means the session ended: ask for the session again, which shows the sign-in page.
const onError = (error: unknown) => {
  if (error instanceof ApiFailure && error.status === 401)
    void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
};
const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: { retry: (count, error) => !(error instanceof ApiFailure && error.status < 500) && count < 2 },
  },
});

const router = createBrowserRouter([
  { path: '/setup', element: <SetupPage kind="owner" /> },
  { path: '/invite', element: <SetupPage kind="invite" /> },
  { path: '/sign-in', element: <SignInPage /> },
  {
    path: '/',
    element: <Shell />,
    children: [
      { index: true, element: <HomePage /> },
      { path: 'contacts', element: <ContactsPage /> },
      { path: 'contacts/:id', element: <ContactPage /> },
      { path: 'sequences', element: <SequencesPage /> },
      { path: 'sequences/new', element: <SequenceBuilderPage /> },
      { path: 'sequences/:id', element: <SequencePage /> },
      { path: 'inbox', element: <InboxPage /> },
      { path: 'tasks', element: <TasksPage /> },
      {
        path: 'analytics',
        element: (
          <Suspense fallback={<Loading what="analytics" />}>
            <AnalyticsPage />
          </Suspense>
        ),
      },
      { path: 'accounts', element: <AccountsPage /> },
      { path: 'settings', element: <SettingsPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  );
