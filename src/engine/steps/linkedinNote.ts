// A free LinkedIn account's monthly note budget (core/linkedinNotes.ts), applied to a connection
// request as it is reserved: past the budget the request goes without its note.
import { CONNECTION_REQUEST, type Channel } from '../../core/channels.ts';
import { mayAddNote, monthStart } from '../../core/linkedinNotes.ts';
import type { Sql } from '../../db/database.ts';
import type { SenderRow } from '../../db/senders.ts';

export async function withoutNote(
  sql: Sql,
  input: { sender: SenderRow | null; channel: Channel; template: string; now: Date },
): Promise<boolean> {
  const { sender } = input;
  if (!sender?.linkedinFree || input.channel !== 'linkedin' || input.template !== CONNECTION_REQUEST) return false;
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM messages
      WHERE sender_id = $1 AND channel = 'linkedin' AND purpose = 'connection_request' AND body <> ''
        AND status IN ('sending', 'sent', 'delivered', 'unknown') AND reserved_at >= $2`,
    [sender.id, monthStart(input.now, sender.timezone)],
  );
  return !mayAddNote({ linkedinFree: true, notesThisMonth: rows[0]?.n ?? 0 });
}
