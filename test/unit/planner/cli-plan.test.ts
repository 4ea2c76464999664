import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ProviderId } from '../../../src/core/models/types';
import { validatePlan } from '../../../src/core/plan';
import { FakeModelServer, reply, type FakeReply } from '../../fixtures/fake-servers';
import { SENTINEL_KEY } from '../models/helpers';

const ROOT = resolve(__dirname, '../../..');
const t = (id: string, deps: string[] = []) => ({ id, title: id, objective: `do ${id}`, deps, files: [`${id}.py`], acceptance: ['works'] });
const wide = { tasks: [t('board'), t('ai'), t('gui', ['board', 'ai'])] };

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a child process; async so the in-process fake server keeps answering. */
function cli(args: string[], cwd: string): Promise<Ran> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], { cwd, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('cli: agensflow plan (built dist/cli.js against the fake servers)', function () {
  this.timeout(60_000);
  let server: FakeModelServer;
  let ws: string;
  before(async () => {
    const built = spawnSync(process.execPath, ['esbuild.js'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    server = await FakeModelServer.start();
    ws = await mkdtemp(join(tmpdir(), 'af-plan-cli-'));
    await writeFile(join(ws, 'README.md'), '# game\n');
  });
  after(async () => {
    await server?.close();
    if (ws) await rm(ws, { recursive: true, force: true });
  });
  beforeEach(() => server.reset());

  const flags = (provider: ProviderId, model = provider === 'anthropic' ? 'claude-sonnet-4-5' : 'gpt-4o-mini'): string[] => [
    '--provider', provider, '--base-url', server.baseUrlFor(provider), '--model', model, '--api-key', SENTINEL_KEY,
  ];

  const cases: [ProviderId, string, FakeReply][] = [
    ['openai', 'a 429 with retry-after: 1', reply.error(429, { 'retry-after': '1' })],
    ['openai-compatible', 'a dropped stream', reply.tool('submit_workflow', wide, { chunkSize: 8, dropAfterChunks: 6 })],
    ['anthropic', 'a dropped stream', reply.tool('submit_workflow', wide, { chunkSize: 8, dropAfterChunks: 6 })],
  ];
  for (const [provider, fault, first] of cases) {
    it(`${provider}: writes the chosen plan, surviving ${fault}`, async () => {
      let faulted = false;
      server.setHandler(() => {
        if (!faulted) {
          faulted = true;
          return first;
        }
        return reply.tool('submit_workflow', wide);
      });
      const r = await cli(['plan', 'A gobang game in Python', '--out', 'plan.json', '--candidates', '2', ...flags(provider)], ws);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(server.requests.length, 3, 'two candidates plus one retry');
      assert.match(r.stderr, /candidate 1: 3 tasks, 2 dependencies, depth 2, P_avg 1\.5/);
      assert.match(r.stderr, /chose candidate \d of 2/);
      const plan = JSON.parse(await readFile(join(ws, 'plan.json'), 'utf8')) as unknown;
      const v = validatePlan(plan);
      assert.ok(v.ok);
      assert.equal(v.plan.goal, 'A gobang game in Python');
      assert.ok(!r.stderr.includes(SENTINEL_KEY));
    });
  }

  it('--json prints the decision, usage and run.finished events on stdout', async () => {
    server.setHandler(() => reply.tool('submit_workflow', wide));
    const r = await cli(['plan', 'A gobang game', '--out', 'p2.json', '--json', ...flags('openai')], ws);
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
    // The run's rule files are recorded first (a context.rules decision), then the planner's choice.
    assert.equal(events.find((e) => e.type === 'decision')?.point, 'context.rules');
    const decision = events.find((e) => e.type === 'decision' && e.point === 'plan.candidates')!;
    assert.equal((decision.options as unknown[]).length, 3);
    assert.equal(events.filter((e) => e.type === 'usage').length, 3);
    assert.deepEqual(events.at(-1)!.type, 'run.finished');
    assert.equal(events.at(-1)!.exitCode, 0);
  });

  it('exits 1 with every reason when all candidates are invalid', async () => {
    server.setHandler(() => reply.tool('submit_workflow', { tasks: [t('a', ['a'])] }));
    const r = await cli(['plan', 'x', '--out', 'bad.json', '--candidates', '2', ...flags('anthropic')], ws);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /no valid plan among 2 candidates:\n\s+candidate 1: task "a" depends on itself\n\s+candidate 2: /);
    await assert.rejects(readFile(join(ws, 'bad.json')));
  });

  it('exits 2 for a rejected key, without printing it', async () => {
    server.setHandler(() => reply.error(401, {}, { echoAuth: true }));
    const r = await cli(['plan', 'x', '--out', 'k.json', ...flags('openai')], ws);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /API key/);
    assert.ok(!r.stderr.includes(SENTINEL_KEY), r.stderr);
  });

  it('exits 2 for an unknown model and for bad usage', async () => {
    server.setHandler(() => reply.error(404, {}, { message: 'model "nope" not found' }));
    const r = await cli(['plan', 'x', '--out', 'm.json', ...flags('openai-compatible', 'nope')], ws);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /model 'nope'/);
    assert.equal((await cli(['plan', 'x', ...flags('openai')], ws)).code, 2);
    assert.equal((await cli(['plan', 'x', '--out', 'o.json', '--provider', 'openai', '--model', 'gpt-4o'], ws)).code, 2, 'no key anywhere');
  });
});
