// Opaque keyset cursors for list endpoints: base64url of [timestamp text, id].
export type Cursor = { at: string; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** SQL expression rendering a timestamptz column exactly (microseconds, UTC) for a cursor. */
export const cursorTimestamp = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url');
}

/** Undefined for a cursor we did not issue. */
export function decodeCursor(text: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [at, id] = value;
    if (typeof at !== 'string' || typeof id !== 'string' || !TIMESTAMP.test(at) || !UUID.test(id)) return undefined;
    return { at, id };
  } catch {
    return undefined;
  }
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Cursors of lists ordered by a time-ordered id alone. */
export function encodeIdCursor(id: string): string {
  return Buffer.from(JSON.stringify([id])).toString('base64url');
}

export function decodeIdCursor(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    return Array.isArray(value) && value.length === 1 && typeof value[0] === 'string' && UUID.test(value[0])
      ? value[0]
      : undefined;
  } catch {
    return undefined;
  }
}
