import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runBenchTasks } from '../../../bench/tasks/harness';
import { renderReport } from '../../../bench/tasks/report';
import { tempDirs } from '../run/tmp';

describe('bench:tasks harness (scripted model, gobang only: needs python3)', function () {
  this.timeout(120_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('runs each trial in a fresh workspace through the CLI, scores it, and reports tokens, time and updates', async () => {
    const out = tmp.make('af-bench-tasks-');
    const lines: string[] = [];
    const results = await runBenchTasks({ provider: 'scripted', trials: 2, tasks: ['gobang'], out, env: { PATH: process.env.PATH }, log: (l) => lines.push(l) });
    const explain = results.map((r) => [`trial ${r.trial}:`, ...r.trace.map((l) => `  ${l}`)].join('\n')).join('\n');
    assert.deepEqual(results.map((r) => [r.task, r.trial, r.exitCode, r.score.score, r.planUpdates]), [['gobang', 1, 0, 1, 1], ['gobang', 2, 0, 1, 1]], `${lines.join('\n')}\n${explain}`);
    assert.ok(results.every((r) => r.tokens > 0 && r.wallMs > 0 && r.cost === undefined));
    assert.ok(existsSync(path.join(out, 'gobang-2', 'main.py')), 'the trial workspace is kept');
    const md = renderReport(results, 'scripted');
    assert.match(md, /\| gobang \| 2 \| 100% \| Compilable 100%, Interactable 100%, Game rule 100% \| 100% \|/);
    assert.match(md, /AutoGen 66\.7%, MetaGPT 71%, CAMEL 48\.7%/);
    assert.match(md, /plus one sentence fixing an entry point/);
  });

  it('a trial whose CLI run fails still gets scored (and reported with its exit code)', async () => {
    const out = tmp.make('af-bench-tasks-');
    // No PATH: python3 cannot be found by the verifiers, so tasks end unverified (exit 1); the scorer runs from the bench's PATH.
    const [r] = await runBenchTasks({ provider: 'scripted', trials: 1, tasks: ['gobang'], out, env: {}, log: () => undefined });
    assert.equal(r!.exitCode, 1);
    assert.equal(r!.score.criteria.length, 3);
  });
});
