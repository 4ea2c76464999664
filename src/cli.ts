#!/usr/bin/env node
/** The headless front end over src/core (design.md, "The CLI contract"). */
process.stdout.write('agensflow: no commands yet\n');
