import { openDatabase } from '../db/open.ts';
import { config, parse, printJson } from './args.ts';
import { migrate } from '../db/migrate.ts';

export async function migrateCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, { json: { type: 'boolean' } });
  const database = await openDatabase(config(), { migrate: false });
  try {
    const applied = await migrate(database.db.pool);
    if (values.json) printJson({ applied });
    else process.stdout.write(applied.length ? `Applied ${applied.join(', ')}\n` : 'Database is up to date\n');
  } finally {
    await database.close();
  }
}
