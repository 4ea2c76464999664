import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const fixtures = join(root, 'test/fixtures/plans');

/**
 * Runs the built dist/cli.js as a child process, after building it with the project's own esbuild.js
 * so the suite never reads a stale bundle.
 */
describe('cli (bundled dist/cli.js, child process)', function () {
  this.timeout(120_000);
  const cli = join(root, 'dist/cli.js');

  before(() => {
    const built = spawnSync(process.execPath, ['esbuild.js'], { cwd: root, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
  });

  const node = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
    spawnSync(process.execPath, [cli, ...args], { cwd: fixtures, encoding: 'utf8' });

  it('validate exits 0 for a valid plan', () => {
    const r = node('validate', 'gobang.json');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid plan, 5 tasks/);
  });

  it('validate exits 1 for an invalid plan, errors on stderr', () => {
    const r = node('validate', 'invalid-graph.json');
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /invalid-graph\.json:\d+:\d+: cycle: dependency cycle a -> b -> c -> a/);
  });

  it('validate exits 2 for malformed JSON with its position', () => {
    const r = node('validate', 'malformed.json');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^malformed\.json:3:32: malformed JSON/);
  });

  it('metrics prints one JSON object on stdout', () => {
    const r = node('metrics', 'gobang.json');
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(m), ['tasks', 'edges', 'depth', 'parallelism', 'dependencyComplexity', 'criticalPath']);
    assert.deepEqual([m.tasks, m.edges, m.depth, m.criticalPath], [5, 6, 3, ['board', 'ai', 'main']]);
  });

  it('usage errors exit 2; --version prints the version', () => {
    assert.equal(node('nope').status, 2);
    assert.match(node('--version').stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
