#!/usr/bin/env node
/** The headless front end over src/core: a thin entry over cli/main.ts. */
import { main } from './cli/main';
import { processIo, terminalSafe } from './cli/io';

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(terminalSafe(`agensflow: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));
    process.exitCode = 1;
  },
);
