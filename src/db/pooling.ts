// Is DATABASE_URL a direct connection (or a pooler in session mode), or a pooler in transaction
// mode, which hands each transaction to whichever server connection is free? Asked once at start
// unless QUOTAHIT_DATABASE_POOLING says: a statement prepared on one client connection is looked
// for from a second connection (a pooler shares server connections between clients) and then from
// the first again (a pooler may have moved it to another server connection). A direct connection
// finds it on the first and not on the second; a pooler in transaction mode fails one of the two.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { survivesLostConnections, type Pooling } from './database.ts';

const MISSING_STATEMENT = '26000';

export async function detectPooling(url: string): Promise<Pooling> {
  const pool = survivesLostConnections(new pg.Pool({ connectionString: url, max: 2 }));
  const name = `qh_probe_${randomBytes(6).toString('hex')}`;
  const first = await pool.connect();
  const second = await pool.connect().catch((error: unknown) => {
    first.release();
    throw error;
  });
  const found = (client: pg.PoolClient) =>
    client.query(`EXECUTE ${name}`).then(
      () => true,
      (error: unknown) => {
        if (error instanceof Error && 'code' in error && error.code === MISSING_STATEMENT) return false;
        throw error;
      },
    );
  try {
    await first.query(`PREPARE ${name} AS SELECT 1`);
    const sharedWithSecond = await found(second);
    const keptByFirst = await found(first);
    await first.query(`DEALLOCATE ${name}`).catch(() => {});
    return sharedWithSecond || !keptByFirst ? 'transaction' : 'session';
  } finally {
    first.release(true);
    second.release(true);
    await pool.end();
  }
}
