// A one-line progress bar for terminals (stderr), redrawn at most ten times a second.
import type { WriteStream } from 'node:tty';

export function progressBar(stream: WriteStream, total: number) {
  let last = 0;
  const draw = (done: number) => {
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const filled = Math.round(ratio * width);
    stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}%`);
  };
  return {
    update(done: number) {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      draw(done);
    },
    done() {
      draw(total);
      stream.write('\n');
    },
  };
}
