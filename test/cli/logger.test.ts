// One log format per process: JSON lines, or on a terminal the same records as readable lines.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, prettyLine } from '../../src/cli/logger.ts';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    }),
    { isTTY },
  ) as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

describe('createLogger', () => {
  it('writes JSON lines when the output is not a terminal, with credentials redacted', () => {
    const out = sink(false);
    const log = createLogger({ level: 'info', stream: out.stream });
    log.info({ req: { headers: { authorization: 'Bearer qh_secret' } }, n: 1 }, 'hello');
    log.debug('not shown');
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 30,
      msg: 'hello',
      n: 1,
      req: { headers: { authorization: '[Redacted]' } },
    });
  });

  it('writes readable lines on a terminal: time, level, message, fields, and an error’s stack', async () => {
    const out = sink(true);
    const log = createLogger({ level: 'info', stream: out.stream });
    log.warn({ drainMs: 12, reason: 'SIGTERM' }, 'Stopping');
    log.error({ err: new Error('boom') }, 'failed');
    await new Promise((resolve) => setImmediate(resolve));
    const [first, second, stack] = out.text().split('\n');
    expect(first).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN  Stopping drainMs=12 reason=SIGTERM$/);
    expect(second).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR failed$/);
    expect(stack).toMatch(/^ {2}Error: boom$/);
    expect(out.text()).not.toContain('{"level"');
  });

  it('leaves a line that is not JSON as it is', () => {
    expect(prettyLine('plain text')).toBe('plain text');
  });
});
