#!/usr/bin/env node
// Runs the compiled command line (build/cli.js): built by `npm install`, and rebuilt here first
// whenever a source file changed since, so it is never stale.
import { cliEntry } from '../build/cli.js';

process.setSourceMapsEnabled(true);
await import(await cliEntry());
