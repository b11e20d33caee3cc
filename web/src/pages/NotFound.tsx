import { Link } from 'react-router';
import { Empty } from '../ui/kit';

export function NotFoundPage() {
  return (
    <Empty title="No such page">
      <p>
        The address does not match a page of the dashboard. <Link to="/">Go to Home</Link>.
      </p>
    </Empty>
  );
}
