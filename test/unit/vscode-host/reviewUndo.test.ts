/**
 * Review decisions that users can see and take back, in the stand-in host (./fakeVscode.ts) with a real
 * journal and real files: the notification after Accept / Reject with its counts and Undo button, Undo Accept
 * (exact bytes back; a created file edited since removed only after asking; refused over unsaved text), Undo
 * Reject (the proposal back), and an accept merged with the user's saved changes.
 */
import './install';
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunJournal, type TaskPatch } from '../../../src/core/run';
import { RunCommands } from '../../../src/vscode/commands/runCommands';
import type { RunController } from '../../../src/vscode/run/runController';
import * as fake from './fakeVscode';
import { filePatch, fixture, silentLog, type Fixture } from './reviewFixture';

async function loadPatch(f: Fixture, taskId = 't1'): Promise<TaskPatch | undefined> {
  return (await RunJournal.open(f.stateDir, f.runId)).loadPatch(taskId);
}

/** The next message whose text matches `re` (waits on the host's message event, never on time). */
function nextMessage(re: RegExp): Promise<fake.ShownMessage> {
  return new Promise((resolve) => {
    const before = fake.state.onMessage;
    fake.state.onMessage = (m) => {
      before?.(m);
      if (re.test(m.text)) resolve(m);
    };
  });
}

describe('vscode review: notifications with Undo, Undo Accept, Undo Reject, merge (stand-in host)', () => {
  let f: Fixture | undefined;
  let commands: RunCommands | undefined;
  beforeEach(() => fake.resetHost());
  afterEach(() => {
    commands?.dispose();
    f?.review.dispose();
    if (f) rmSync(f.base, { recursive: true, force: true });
    f = undefined;
    commands = undefined;
  });

  function register(fx: Fixture): void {
    const controller = { currentRunId: fx.runId } as unknown as RunController;
    commands = new RunCommands({ controller, review: fx.review, showGraph: () => undefined, log: silentLog().log });
  }

  it('a task whose upstream patch is rejected is not applied without the user seeing it: a modal names it; Accept All holds it back', async () => {
    f = await fixture({}, [filePatch('lib.txt', null, 'lib\n')], { t2: [filePatch('uses.txt', null, 'uses lib\n')] }, { t2: ['t1'] });
    register(f);
    assert.equal(await fake.commands.executeCommand('agensflow.rejectTask', 't1'), true);
    // Declined (the modal closed): nothing written.
    assert.equal(await fake.commands.executeCommand('agensflow.acceptTask', 't2'), undefined);
    const modal = fake.state.messages.find((m) => m.modal && /t2 depends on t1 \(rejected\)/.test(m.text));
    assert.ok(modal, fake.state.messages.map((m) => m.text).join(' | '));
    assert.deepEqual(modal.items, ['Accept Anyway']);
    assert.equal(existsSync(join(f.root, 'uses.txt')), false);
    // Accept All Verified holds it back and says why.
    await fake.commands.executeCommand('agensflow.acceptAllVerified');
    assert.equal(existsSync(join(f.root, 'uses.txt')), false);
    assert.ok(fake.state.messages.some((m) => /held back by the tasks they depend on: t2 \(depends on t1 \(rejected\)\)/.test(m.text)));
    // The user's choice: applied anyway.
    fake.state.answers.push({ match: /t2 depends on t1/, answer: 'Accept Anyway' });
    assert.equal(((await fake.commands.executeCommand('agensflow.acceptTask', 't2')) as { state: string }).state, 'applied');
    assert.equal(readFileSync(join(f.root, 'uses.txt'), 'utf8'), 'uses lib\n');
  });

  it('Accept Task says what it applied with an Undo button; Undo puts back the exact bytes and the patch is proposed again', async () => {
    const before = 'x = 1\r\ny = 2\r\n';
    f = await fixture({ 'app.py': before }, [filePatch('app.py', before, 'x = 1\r\ny = 3\r\n'), filePatch('new.py', null, 'new\n')]);
    register(f);
    fake.state.answers.push({ match: /^AgensFlow: applied t1/, answer: 'Undo' });
    const undone = nextMessage(/undid the accept of t1/);
    const outcome = await fake.commands.executeCommand('agensflow.acceptTask', 't1');
    assert.equal((outcome as { state: string }).state, 'applied');
    const shown = fake.state.messages.find((m) => /^AgensFlow: applied t1/.test(m.text));
    assert.equal(shown?.text, 'AgensFlow: applied t1 (2 files).');
    assert.deepEqual(shown?.items, ['Undo']);
    assert.match((await undone).text, /undid the accept of t1: 2 files put back/);
    assert.ok(readFileSync(join(f.root, 'app.py')).equals(Buffer.from(before)));
    assert.equal(existsSync(join(f.root, 'new.py')), false);
    assert.equal((await loadPatch(f))?.state, 'proposed');
  });

  it('an accept whose file cannot be saved says so (not "applied"), with Save It, which saves it once the disk takes it', async () => {
    f = await fixture({ 'app.py': 'a\n' }, [filePatch('app.py', 'a\n', 'b\n')]);
    register(f);
    let saves = 0;
    fake.state.failSave = () => saves++ === 0; // the first save fails (a read-only file, a full disk), the next works
    fake.state.answers.push({ match: /could not be saved/, answer: 'Save It' });
    const savedByUser = new Promise<void>((resolve) => fake.workspace.onDidSaveTextDocument(() => resolve()));
    const outcome = (await fake.commands.executeCommand('agensflow.acceptTask', 't1')) as { state: string; notSaved?: string[] };
    assert.equal(outcome.state, 'applied');
    assert.deepEqual(outcome.notSaved, ['app.py']);
    const warning = fake.state.messages.find((m) => /could not be saved/.test(m.text));
    assert.equal(warning?.level, 'warning');
    assert.equal(warning?.text, 'AgensFlow: applied t1, but app.py could not be saved (VS Code said why): its editor holds the change, unsaved. Save to keep it on disk, or Undo Accept.');
    assert.deepEqual(warning?.items, ['Save It', 'Undo Accept']);
    assert.ok(!fake.state.messages.some((m) => m.text === 'AgensFlow: applied t1 (1 file).'), 'no plain "applied" beside the warning');
    await savedByUser;
    assert.equal(readFileSync(join(f.root, 'app.py'), 'utf8'), 'b\n', 'Save It saved the accepted text');
  });

  it('an accept whose file cannot be saved can be taken back with Undo Accept: the editor and the disk as before', async () => {
    f = await fixture({ 'app.py': 'a\n' }, [filePatch('app.py', 'a\n', 'b\n')]);
    register(f);
    fake.state.failSave = () => true;
    fake.state.answers.push({ match: /could not be saved/, answer: 'Undo Accept' });
    const undone = nextMessage(/accept of t1/);
    await fake.commands.executeCommand('agensflow.acceptTask', 't1');
    const said = await undone;
    assert.match(said.text, /undid the accept of t1/, said.text);
    const doc = fake.state.documents.find((d) => d.uri.fsPath === join(f!.root, 'app.py'));
    assert.equal(doc?.getText(), 'a\n');
    assert.equal(readFileSync(join(f.root, 'app.py'), 'utf8'), 'a\n');
    assert.equal((await loadPatch(f))?.state, 'proposed');
  });

  it('Reject Task says so with an Undo button; Undo Reject brings the proposal back (files untouched)', async () => {
    f = await fixture({ 'app.py': 'a\n' }, [filePatch('app.py', 'a\n', 'b\n')]);
    register(f);
    fake.state.answers.push({ match: /^AgensFlow: rejected the changes of t1/, answer: 'Undo' });
    const undone = nextMessage(/undid the reject of t1/);
    assert.equal(await fake.commands.executeCommand('agensflow.rejectTask', 't1'), true);
    await undone;
    assert.equal((await loadPatch(f))?.state, 'proposed');
    assert.equal(readFileSync(join(f.root, 'app.py'), 'utf8'), 'a\n');
    assert.deepEqual(await f.review.openPatches(f.runId).then((p) => p.map((x) => x.taskId)), ['t1']);
  });

  it('Accept All Verified gives one notification with the counts; its Undo takes back every task', async () => {
    f = await fixture({ 'a.txt': 'a\n', 'b.txt': 'b\n' }, [filePatch('a.txt', 'a\n', 'A\n')], { t2: [filePatch('b.txt', 'b\n', 'B\n')] });
    register(f);
    fake.state.answers.push({ match: /^AgensFlow: applied 2 tasks/, answer: 'Undo' });
    const second = nextMessage(/undid the accept of t1/);
    await fake.commands.executeCommand('agensflow.acceptAllVerified');
    assert.equal(fake.state.messages.filter((m) => /^AgensFlow: applied/.test(m.text)).length, 1);
    assert.equal(fake.state.messages.find((m) => /^AgensFlow: applied/.test(m.text))?.text, 'AgensFlow: applied 2 tasks (2 files).');
    await second; // dependents first: t2, then t1
    assert.equal(readFileSync(join(f.root, 'a.txt'), 'utf8'), 'a\n');
    assert.equal(readFileSync(join(f.root, 'b.txt'), 'utf8'), 'b\n');
  });

  it('Undo Accept of a created file the user edited since asks first; declined keeps it, agreed removes it', async () => {
    f = await fixture({}, [filePatch('new.py', null, 'new\n')]);
    register(f);
    await f.review.accept(f.runId, 't1');
    writeFileSync(join(f.root, 'new.py'), 'new\n# my notes\n');
    assert.equal(await fake.commands.executeCommand('agensflow.undoAccept', 't1'), false);
    const asked = fake.state.messages.find((m) => m.modal);
    assert.match(asked?.text ?? '', /new\.py was created by accepting t1, and you edited it since/);
    assert.equal(readFileSync(join(f.root, 'new.py'), 'utf8'), 'new\n# my notes\n');
    fake.state.answers.push({ match: /was created by accepting t1/, answer: 'Remove Anyway' });
    assert.equal(await fake.commands.executeCommand('agensflow.undoAccept', 't1'), true);
    assert.equal(existsSync(join(f.root, 'new.py')), false);
    assert.equal((await loadPatch(f))?.state, 'proposed');
  });

  it('Undo Accept is refused while the file has unsaved text in an editor (that text is never lost)', async () => {
    f = await fixture({ 'app.py': 'a\n' }, [filePatch('app.py', 'a\n', 'b\n')]);
    register(f);
    await f.review.accept(f.runId, 't1');
    const doc = await fake.workspace.openTextDocument(fake.Uri.file(join(f.root, 'app.py')));
    doc.type('b\n# typing\n');
    assert.equal(await fake.commands.executeCommand('agensflow.undoAccept', 't1'), false);
    assert.match(fake.state.messages.at(-1)?.text ?? '', /did not undo the accept of t1: app\.py has unsaved changes in an editor/);
    assert.equal(doc.getText(), 'b\n# typing\n');
    assert.equal(readFileSync(join(f.root, 'app.py'), 'utf8'), 'b\n');
  });

  it('merge path: a file saved with the user\'s changes away from the proposal is merged on accept, and the notification says so', async () => {
    f = await fixture({ 'app.py': '1\n2\n3\n4\n' }, [filePatch('app.py', '1\n2\n3\n4\n', '1\n2\n3\nfour\n')]);
    register(f);
    writeFileSync(join(f.root, 'app.py'), 'one\n2\n3\n4\n');
    const outcome = await fake.commands.executeCommand('agensflow.acceptTask', 't1');
    assert.deepEqual(outcome, { state: 'applied', files: ['app.py'], merged: ['app.py'] });
    assert.equal(readFileSync(join(f.root, 'app.py'), 'utf8'), 'one\n2\n3\nfour\n');
    assert.match(fake.state.messages.at(-1)?.text ?? '', /applied t1 \(1 file\), merged with your changes in app\.py/);
    assert.equal((await loadPatch(f))?.state, 'merged');
    // Undo Accept gives back the user's version, not the run's base.
    assert.equal(await fake.commands.executeCommand('agensflow.undoAccept', 't1'), true);
    assert.equal(readFileSync(join(f.root, 'app.py'), 'utf8'), 'one\n2\n3\n4\n');
  });

  it('overlapping saved changes: nothing written, the patch conflicted, the warning names the lines', async () => {
    f = await fixture({ 'app.py': '1\n2\n' }, [filePatch('app.py', '1\n2\n', '1\nTWO\n')]);
    register(f);
    writeFileSync(join(f.root, 'app.py'), '1\n2 mine\n');
    const outcome = await fake.commands.executeCommand('agensflow.acceptTask', 't1');
    assert.equal((outcome as { state: string }).state, 'conflicted');
    assert.equal(readFileSync(join(f.root, 'app.py'), 'utf8'), '1\n2 mine\n');
    assert.match(fake.state.messages.at(-1)?.text ?? '', /app\.py changed since the run read it, and the changes overlap: your line 2 against the proposal's line 2/);
  });

  it('a new run while the shown run still has unreviewed patches says so, with Review and Discard; Discard rejects them', async () => {
    f = await fixture({ 'a.txt': 'a\n' }, [filePatch('a.txt', 'a\n', 'A\n')]);
    const started: string[] = [];
    const controller = { currentRunId: f.runId, isBusy: false, startGoal: async (goal: string) => void started.push(goal) } as unknown as RunController;
    commands = new RunCommands({ controller, review: f.review, showGraph: () => undefined, log: silentLog().log });
    fake.state.answers.push({ match: /still has 1 patch waiting for review/, answer: 'Discard' });
    const shown = nextMessage(/still has 1 patch/);
    const discarded = nextMessage(/discarded 1 patch of run/);
    await fake.commands.executeCommand('agensflow.newTask', 'next goal');
    assert.deepEqual(started, ['next goal'], 'the new run is not held up');
    const reminder = await shown;
    assert.deepEqual(reminder?.items, ['Review', 'Discard']);
    assert.match(reminder?.text ?? '', /\(t1\)/);
    await discarded;
    assert.equal((await loadPatch(f))?.state, 'rejected');
    assert.equal(readFileSync(join(f.root, 'a.txt'), 'utf8'), 'a\n');
  });

  it('a run that stopped before its plan (no journal) has no patches to review: a new run starts with no warning', async () => {
    f = await fixture({ 'a.txt': 'a\n' }, [filePatch('a.txt', 'a\n', 'A\n')]);
    const warnings: string[] = [];
    const log = silentLog().log;
    const started: string[] = [];
    const controller = { currentRunId: '20261207-063548-569-b27d0f', isBusy: false, startGoal: async (goal: string) => void started.push(goal) } as unknown as RunController;
    commands = new RunCommands({ controller, review: f.review, showGraph: () => undefined, log: { ...log, warn: (m: string) => void warnings.push(m) } as typeof log });
    assert.deepEqual(await f.review.openPatches('20261207-063548-569-b27d0f'), []);
    await fake.commands.executeCommand('agensflow.newTask', 'next goal');
    assert.deepEqual(started, ['next goal']);
    assert.deepEqual(warnings, [], 'no "could not check run … for unreviewed patches" warning');
  });
});
