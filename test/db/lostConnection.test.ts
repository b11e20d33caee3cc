// A connection lost while its client is in use (a database restart, pg_terminate_backend) fails
// the statement in flight and nothing else: the pool takes the client's socket error as an
// unhandled 'error' event otherwise, which ends the whole process (issue 16, R-database). The
// next transaction gets a new connection.
import { describe, expect, it } from 'vitest';
import { databaseUrl } from '../support/harness.ts';
import { createDb } from '../../src/db/database.ts';

const TERMINATED = /terminat/i;

describe('a connection lost while in use', () => {
  it('fails the transaction without an unhandled error event, and the pool reconnects', async () => {
    const db = createDb({ url: databaseUrl(), poolSize: 1 });
    try {
      const errors: unknown[] = [];
      const onError = (error: unknown) => errors.push(error);
      process.on('uncaughtException', onError);
      try {
        // Its own backend ended mid-transaction: the statement fails and the socket closes while
        // the client is still checked out of the pool.
        await expect(db.system((sql) => sql.query('SELECT pg_terminate_backend(pg_backend_pid())'))).rejects.toThrow(
          TERMINATED,
        );
        await expect(
          db.statement('00000000-0000-4000-8000-000000000000', 'SELECT pg_terminate_backend(pg_backend_pid())'),
        ).rejects.toThrow();
        // Whatever the socket reports after the server's goodbye arrives on a later tick.
        await new Promise((resolve) => setTimeout(resolve, 200));
      } finally {
        process.off('uncaughtException', onError);
      }
      expect(errors).toEqual([]);
      const { rows } = await db.system((sql) => sql.query<{ one: number }>('SELECT 1 AS one'));
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});
