/**
 * The plan gate's edited plans, in the stand-in host (./fakeVscode.ts): Edit writes the plan under the
 * extension's storage; a later run's review removes the edited plans of earlier runs (each journal holds the
 * plan that ran), but never one open in an editor, and never the current run's.
 */
import './install';
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validPlan } from '../plan/helpers';
import { PlanGateService } from '../../../src/vscode/planGate/planGateService';
import type { SettingsReader } from '../../../src/vscode/run/runConfig';
import * as fake from './fakeVscode';
import { silentLog } from './reviewFixture';

describe('vscode plan gate: edited plan files (stand-in host)', () => {
  let base: string;
  let service: PlanGateService | undefined;
  beforeEach(() => {
    fake.resetHost();
    base = mkdtempSync(join(tmpdir(), 'af-gate-'));
  });
  afterEach(() => {
    service?.dispose();
    service = undefined;
    rmSync(base, { recursive: true, force: true });
  });

  it('a new run\'s review removes earlier runs\' edited plans, keeping one open in an editor and the current run\'s', async () => {
    const dir = join(base, 'plan-review');
    mkdirSync(dir);
    const old = join(dir, 'run-old-plan-1.json');
    const open = join(dir, 'run-open-plan-2.json');
    const current = join(dir, 'run-new-plan-1.json');
    const unrelated = join(dir, 'notes.txt');
    for (const f of [old, open, current, unrelated]) writeFileSync(f, '{}\n');
    await fake.workspace.openTextDocument(fake.Uri.file(open));

    const settings = ((key: string) => (key === 'reviewPlan' ? 'always' : 5)) as unknown as SettingsReader;
    service = new PlanGateService({ settings, log: silentLog().log, stateDir: base, showGraph: () => undefined });
    const gate = service.gate();
    assert.ok(gate);
    const plan = validPlan({ goal: 'g', tasks: [{ id: 'a', title: 'A', objective: 'a', files: ['a.txt'] }] });
    const answered = gate.review({ runId: 'run-new', round: 1, plan } as never, new AbortController().signal);
    // Edit writes this run's plan under the storage; then Run.
    const edit = (await fake.commands.executeCommand('agensflow.plan.edit')) as { ok: boolean; uri?: string };
    assert.equal(edit.ok, true);
    assert.ok(existsSync(join(dir, 'run-new-plan-1.json')));
    await fake.commands.executeCommand('agensflow.plan.run');
    assert.deepEqual(await answered, { kind: 'run' });

    assert.equal(existsSync(old), false, 'an earlier run\'s edited plan is removed');
    assert.equal(existsSync(open), true, 'one open in an editor is kept');
    assert.equal(existsSync(current), true, 'the current run\'s is kept');
    assert.equal(existsSync(unrelated), true, 'only edited plans (.json) are removed');
  });
});
