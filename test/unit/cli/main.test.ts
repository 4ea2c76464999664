import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIo, type CapturedIo } from '../../../src/cli/io';
import { commands } from '../../../src/cli/commands';
import { version } from '../../../package.json';

const fixtures = join(__dirname, '../../fixtures/plans');

async function run(argv: string[], cwd = fixtures): Promise<{ code: number; io: CapturedIo }> {
  const io = captureIo({ cwd });
  const code = await main(argv, io);
  return { code, io };
}

describe('cli (in-process)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'agensflow-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the global help with every command on --help, exit 0', async () => {
    const { code, io } = await run(['--help']);
    assert.equal(code, 0);
    for (const name of Object.keys(commands)) assert.match(io.out(), new RegExp(`\\n  ${name} +\\S`));
    assert.equal((await run(['help'])).io.out(), io.out());
  });

  it('prints the help on stderr and exits 2 without a command', async () => {
    const { code, io } = await run([]);
    assert.equal(code, 2);
    assert.match(io.err(), /Usage: agensflow <command>/);
    assert.equal(io.out(), '');
  });

  it('prints a command\'s usage with <command> --help and help <command>', async () => {
    const a = await run(['validate', '--help']);
    const b = await run(['help', 'validate']);
    assert.equal(a.code, 0);
    assert.match(a.io.out(), /^Usage: agensflow validate PLAN\.json/);
    assert.equal(b.io.out(), a.io.out());
  });

  it('prints the package version', async () => {
    const { code, io } = await run(['--version']);
    assert.equal(code, 0);
    assert.equal(io.out(), `${version}\n`);
  });

  it('exits 2 with a one-line hint for an unknown command, flag, missing or extra argument, bad number', async () => {
    for (const argv of [['frobnicate'], ['validate', '--frob', 'gobang.json'], ['validate'], ['metrics', 'a.json', 'b.json'], ['validate', '--max-tasks', 'many', 'gobang.json'], ['metrics', '--max-tasks', '0', 'gobang.json']]) {
      const { code, io } = await run(argv);
      assert.equal(code, 2, argv.join(' '));
      assert.equal(io.err().trim().split('\n').length, 1, argv.join(' '));
      assert.match(io.err(), /--help/);
    }
  });

  it('validate: exit 0 and a summary for a valid plan', async () => {
    const { code, io } = await run(['validate', 'gobang.json']);
    assert.equal(code, 0);
    assert.equal(io.out(), 'gobang.json: valid plan, 5 tasks, 6 dependencies\n');
  });

  it('validate: exit 1 with every error as FILE:LINE:COLUMN: code: message', async () => {
    const { code, io } = await run(['validate', 'invalid-graph.json']);
    assert.equal(code, 1);
    const lines = io.err().trim().split('\n');
    assert.match(lines[lines.length - 1], /invalid plan, \d+ errors/);
    assert.ok(lines.includes('invalid-graph.json:5:68: unknown-dep: task "c" depends on "ghost", which is not in the plan (tasks[2].deps[1])'), io.err());
    for (const code of ['cycle', 'self-dep', 'duplicate-id', 'duplicate-owner', 'escaping-path', 'protected-path', 'absolute-path']) {
      assert.ok(lines.some((l) => l.includes(`: ${code}: `)), code);
    }
  });

  it('validate: schema errors and the task cap exit 1', async () => {
    assert.equal((await run(['validate', 'invalid-schema.json'])).code, 1);
    assert.equal((await run(['validate', 'empty.json'])).code, 1);
    const capped = await run(['validate', '--max-tasks', '4', 'gobang.json']);
    assert.equal(capped.code, 1);
    assert.match(capped.io.err(), /too-many-tasks: the plan has 5 tasks, more than the cap of 4/);
  });

  it('validate: exit 2 naming the file and position for malformed JSON, and for an unreadable file', async () => {
    const bad = await run(['validate', 'malformed.json']);
    assert.equal(bad.code, 2);
    assert.equal(bad.io.err(), 'malformed.json:3:32: malformed JSON: property name expected\n');
    const missing = await run(['validate', 'no-such-plan.json']);
    assert.equal(missing.code, 2);
    assert.match(missing.io.err(), /^no-such-plan\.json: cannot read the file \(ENOENT\)/);
    const folder = await run(['validate', '.']);
    assert.equal(folder.code, 2);
  });

  it('validate --json: one object on stdout, same exit codes', async () => {
    const ok = await run(['validate', '--json', 'gobang.json']);
    assert.deepEqual([ok.code, JSON.parse(ok.io.out())], [0, { valid: true, errors: [] }]);
    const bad = await run(['validate', '--json', 'invalid-graph.json']);
    const body = JSON.parse(bad.io.out()) as { valid: boolean; errors: { code: string; line?: number }[] };
    assert.equal(bad.code, 1);
    assert.equal(body.valid, false);
    assert.ok(body.errors.every((e) => typeof e.line === 'number'));
  });

  it('metrics: one JSON object with exactly the contract keys, unrounded', async () => {
    writeFileSync(join(dir, 'w2.json'), JSON.stringify({
      tasks: [
        { id: 'a', title: 'A', objective: 'o', files: [] },
        { id: 'b', title: 'B', objective: 'o', files: [] },
        { id: 'c', title: 'C', objective: 'o', files: [], deps: ['a', 'b'] },
        { id: 'd', title: 'D', objective: 'o', files: [], deps: ['c'] },
      ],
    }));
    const { code, io } = await run(['metrics', 'w2.json'], dir);
    assert.equal(code, 0);
    assert.equal(io.out().trim().split('\n').length, 1);
    assert.deepEqual(JSON.parse(io.out()), { tasks: 4, edges: 3, depth: 3, parallelism: 4 / 3, dependencyComplexity: Math.sqrt(0.75), criticalPath: ['a', 'c', 'd'] });
  });

  it('metrics: an invalid plan exits 1 with nothing on stdout', async () => {
    const { code, io } = await run(['metrics', 'invalid-graph.json']);
    assert.equal(code, 1);
    assert.equal(io.out(), '');
    assert.match(io.err(), /cycle/);
  });
});
