// quotahit migrate [--json]
import { migrate } from '../db/migrate.ts';
import { printJson, say } from './args.ts';
import { withDatabase } from './session.ts';

export async function migrateCommand(options: { json?: boolean }): Promise<void> {
  const applied = await withDatabase((database) => migrate(database.db.pool), { migrate: false });
  if (options.json) printJson({ applied });
  else say(applied.length ? `Applied ${applied.join(', ')}` : 'Database is up to date');
}
