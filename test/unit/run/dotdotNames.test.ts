/**
 * A name that merely begins with two dots (`..foo.py`) is a legal file name that stays inside the
 * workspace: it validates in a plan, so staging, apply and verification must accept it too (issue 11,
 * item 9), while `../foo.py` stays refused everywhere.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { validatePlan } from '../../../src/core/plan';
import { applyPatch } from '../../../src/core/run/apply';
import { StagingArea } from '../../../src/core/run/staging';
import { verifyTask } from '../../../src/core/verify';
import { tempDirs } from './tmp';

describe('run: names beginning with ".." are ordinary files', function () {
  this.timeout(30_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('validate, stage, verify and apply `..foo.py` and `sub/..bar.py`; `../x.py` is still refused', async () => {
    const plan = validatePlan({ tasks: [{ id: 't', title: 'T', objective: 'o', files: ['..foo.py', 'sub/..bar.py'] }] });
    assert.equal(plan.ok, true, JSON.stringify(!plan.ok && plan.errors));

    const ws = tmp.make();
    const outside = path.dirname(ws);
    writeFileSync(path.join(ws, 'keep.txt'), 'x\n');
    const layer = new StagingArea(ws).openLayer('t', ['..foo.py', 'sub/..bar.py'], []);
    const a = await layer.stage('..foo.py', 'x = 1\n');
    assert.deepEqual(a, { ok: true, value: { path: '..foo.py', change: 'created', bytes: 6 } });
    assert.equal((await layer.stage('sub/..bar.py', 'y = (\n')).ok, true);
    assert.deepEqual(await layer.read('..foo.py'), { ok: true, value: 'x = 1\n' });
    const escape = await layer.stage('../foo.py', 'evil\n');
    assert.equal(escape.ok, false);

    // The verification copy holds them, and findings name them as the workspace does.
    const v = await verifyTask({ workspaceDir: ws, layers: [layer.changes], taskFiles: ['..foo.py', 'sub/..bar.py'] });
    assert.equal(v.outcome, 'failed');
    const py = v.checks.find((c) => c.id === 'python:py_compile');
    assert.equal(py?.findings[0]?.file, 'sub/..bar.py');

    await layer.stage('sub/..bar.py', 'y = 2\n');
    const res = await applyPatch(ws, await layer.seal('r'));
    assert.equal(res.state, 'applied');
    assert.equal(readFileSync(path.join(ws, '..foo.py'), 'utf8'), 'x = 1\n');
    assert.equal(readFileSync(path.join(ws, 'sub', '..bar.py'), 'utf8'), 'y = 2\n');
    assert.equal(existsSync(path.join(outside, 'foo.py')), false);
  });
});
