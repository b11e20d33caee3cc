// One log format per process: JSON lines (one object per line, for journald, Docker and log
// shippers), or, when the output is a terminal, the same records as readable lines. Everything a
// long-running command says goes through it, so the output is never a mix of the two.
import { Writable } from 'node:stream';
import pino, { type Logger, type LevelWithSilent } from 'pino';

export type LogFormat = 'json' | 'pretty';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
// Written by pino on every line; the pretty format shows them its own way or not at all.
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err', 'reqId']);
// Headers that carry credentials never reach a log line.
export const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'];

export function createLogger(options: {
  level: LevelWithSilent;
  /** Where lines go: stdout for servers, stderr for commands whose stdout is their result. */
  stream?: NodeJS.WriteStream;
  format?: LogFormat;
}): Logger {
  const stream = options.stream ?? process.stdout;
  const format = options.format ?? (stream.isTTY ? 'pretty' : 'json');
  const destination = format === 'json' ? stream : prettyStream(stream);
  return pino({ level: options.level, redact: REDACT }, destination);
}

/** Turns pino's JSON lines into `12:00:01.234 INFO  message key=value …` (and the error's stack). */
function prettyStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') out.write(`${prettyLine(line)}\n`);
      }
      done();
    },
  });
}

export function prettyLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 23) : '';
  const level = (LEVELS[Number(record.level)] ?? String(record.level)).padEnd(5);
  const fields = Object.entries(record)
    .filter(([key, value]) => !HIDDEN.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const message = [time, level, typeof record.msg === 'string' ? record.msg : '', ...fields].filter(Boolean).join(' ');
  const err = record.err as { stack?: string; message?: string } | undefined;
  return err ? `${message}\n  ${err.stack ?? err.message ?? JSON.stringify(err)}` : message;
}
