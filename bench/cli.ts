// npm run bench:cli — how long the command line takes to answer, started as a user starts it
// (`node bin/quotahit.js …`, which is what `npx quotahit` runs), against a bare `node` and against
// running the TypeScript sources through tsx (how the CLI ran before it was compiled). Commands
// that need no database, so the number is the CLI's own start-up. Prints the median and p90 of
// BENCH_RUNS (default 20) runs each, measured one after another.
import { spawnSync } from 'node:child_process';
import { percentile } from './support.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const env = { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };

const cases: { label: string; args: string[] }[] = [
  { label: 'node -e 0 (the floor)', args: ['-e', '0'] },
  { label: 'quotahit --help', args: ['bin/quotahit.js', '--help'] },
  { label: 'quotahit --version', args: ['bin/quotahit.js', '--version'] },
  { label: 'quotahit contacts import --help', args: ['bin/quotahit.js', 'contacts', 'import', '--help'] },
  { label: 'quotahit presets --json', args: ['bin/quotahit.js', 'presets', '--json'] },
  { label: 'tsx src/cli/main.ts --help (before)', args: ['--import', 'tsx', 'src/cli/main.ts', '--help'] },
];

// One run first, so a build the sources need is not counted.
spawnSync(process.execPath, ['bin/quotahit.js', '--version'], { env });
for (const { label, args } of cases) {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    times.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`${label} exited ${result.status}: ${result.stderr.toString()}`);
  }
  times.sort((a, b) => a - b);
  const ms = (p: number) => `${Math.round(percentile(times, p))} ms`.padStart(7);
  process.stdout.write(`${label.padEnd(40)} median ${ms(50)}   p90 ${ms(90)}\n`);
}
