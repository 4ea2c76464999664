import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { captureIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { listRuns, RunJournal } from '../../../src/core/run';
import { tempDirs } from './tmp';

/**
 * The journal's files are checked against their schemas on every read: a damaged or edited run.json or patch
 * is a clear error naming the file (exit 2 from the CLI), never a crash or a cast; older records still load.
 */
const RUN_A = '20240101-000000-000-aaaaaa';
const RUN_B = '20240102-000000-000-bbbbbb';

function record(runId: string, dir: string): Record<string, unknown> {
  return {
    version: 1,
    runId,
    createdAt: 1,
    updatedAt: 2,
    dir,
    status: 'completed',
    settings: { maxAgents: 2, apply: 'review', maxTurns: 10 },
    plan: { goal: 'g', tasks: [{ id: 'a', title: 'A', objective: 'o', files: ['a.txt'] }, { id: 'b', title: 'B', objective: 'o', deps: ['a'], files: ['b.txt'] }] },
    tasks: {
      a: { status: 'passed', attempts: 1, usage: { inputTokens: 1, outputTokens: 1, cost: 0 }, refusals: 0, patch: { state: 'proposed', files: ['a.txt'] } },
      b: { status: 'passed', attempts: 1, usage: { inputTokens: 1, outputTokens: 1, cost: 0 }, refusals: 0 },
    },
    usage: { inputTokens: 2, outputTokens: 2, cost: 0 },
    decisions: [],
    resumes: 0,
  };
}

describe('run journal: records are parsed by schemas', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  function setup(runId: string, rec: unknown): { state: string; ws: string; runDir: string } {
    const state = tmp.make('af-state-');
    const ws = tmp.make('af-ws-');
    const runDir = path.join(state, 'runs', runId);
    mkdirSync(path.join(runDir, 'patches'), { recursive: true });
    writeFileSync(path.join(runDir, 'run.json'), typeof rec === 'string' ? rec : JSON.stringify(rec));
    return { state, ws, runDir };
  }

  async function cli(argv: string[]): Promise<{ code: number; err: string }> {
    const io = captureIo({ cwd: process.cwd() });
    const code = await main(argv, io);
    return { code, err: io.err() };
  }

  it('a run.json of the wrong shape is refused on resume with the file and the field named, exit 2, and left as it is', async () => {
    const bad = record(RUN_A, '/nowhere');
    (bad.tasks as Record<string, { status: string }>).a.status = 'exploded';
    const s = setup(RUN_A, bad);
    const before = readFileSync(path.join(s.runDir, 'run.json'), 'utf8');
    const r = await cli(['run', '--resume', RUN_A, '--state', s.state]);
    assert.equal(r.code, 2);
    assert.match(r.err, new RegExp(`run ${RUN_A}: run\\.json is not a valid AgensFlow run record \\(tasks\\.a\\.status: .*\\); it was left as it is`));
    assert.equal(readFileSync(path.join(s.runDir, 'run.json'), 'utf8'), before);
  });

  it('a run.json that is not JSON is refused by apply with a clear error, exit 2', async () => {
    const s = setup(RUN_A, '{"version": 1, "runId": ');
    const r = await cli(['apply', RUN_A, '--state', s.state]);
    assert.equal(r.code, 2);
    assert.match(r.err, /run\.json is not a valid AgensFlow run record \(not JSON: /);
  });

  it('a run.json whose plan has a cycle is refused on resume', async () => {
    const rec = record(RUN_A, '/nowhere');
    (rec.plan as { tasks: { deps?: string[] }[] }).tasks[0].deps = ['b'];
    const s = setup(RUN_A, rec);
    const r = await cli(['run', '--resume', RUN_A, '--state', s.state]);
    assert.equal(r.code, 2);
    assert.match(r.err, /run\.json is not a valid AgensFlow run record \(plan.*cycle/i);
  });

  it('a damaged patch file is a clear error from apply (exit 2), never a crash', async () => {
    const s = setup(RUN_A, record(RUN_A, '/nowhere'));
    writeFileSync(path.join(s.runDir, 'patches', 'a.json'), JSON.stringify({ version: 1, runId: RUN_A, taskId: 'a', state: 'proposed', files: [{ path: 'a.txt', change: 'created' }] }));
    const r = await cli(['apply', RUN_A, '--state', s.state]);
    assert.equal(r.code, 2);
    assert.match(r.err, new RegExp(`run ${RUN_A}: patches/a\\.json is not a valid AgensFlow patch \\(files\\.0\\.baseHash: .*\\); it was left as it is`));
  });

  it('an older record without the fields added since still loads, with their defaults', async () => {
    const old = record(RUN_A, '/nowhere');
    delete old.resumes;
    delete old.decisions;
    delete old.usage;
    for (const t of Object.values(old.tasks as Record<string, Record<string, unknown>>)) {
      delete t.refusals;
      delete t.usage;
      delete t.attempts;
    }
    const s = setup(RUN_A, old);
    const j = await RunJournal.open(s.state, RUN_A);
    assert.equal(j.record.resumes, 0);
    assert.deepEqual(j.record.decisions, []);
    assert.deepEqual(j.record.tasks.a.usage, { inputTokens: 0, outputTokens: 0, cost: 0 });
    assert.equal(j.record.tasks.b.refusals, 0);
    assert.deepEqual(j.record.plan.tasks[1].deps, ['a']);
  });

  it('listRuns lists the good runs and skips a damaged one', async () => {
    const s = setup(RUN_A, record(RUN_A, '/nowhere'));
    const other = path.join(s.state, 'runs', RUN_B);
    mkdirSync(other, { recursive: true });
    writeFileSync(path.join(other, 'run.json'), JSON.stringify({ ...record(RUN_B, '/x'), tasks: 'not a map' }));
    const runs = await listRuns(s.state);
    assert.deepEqual(runs.map((r) => r.runId), [RUN_A]);
  });
});
