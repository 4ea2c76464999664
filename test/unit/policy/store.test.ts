import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CoordinationPolicy,
  EDIT_FORMAT_OPTIONS,
  editFormatFeatures,
  encodeState,
  exportPolicy,
  importPolicy,
  loadPolicy,
  migrate,
  policyPathFor,
  POLICY_SCHEMA,
  POLICY_VERSION,
  PolicyStore,
  seededRng,
} from '../../../src/core/policy';
import { faultyIo } from '../fs/faultyIo';
import { twoOptionDoc } from './helpers';

const opts = () => ({ document: twoOptionDoc(), settings: { rng: seededRng(1) } });

describe('policy store', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'policy-store-'));
    file = join(dir, 'policy', 'ws.json');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  async function learnAndSave(n: number, kind = 'edit'): Promise<void> {
    const loaded = await loadPolicy(file, opts());
    for (let i = 0; i < n; i++) {
      const d = loaded.policy.decide('model', { kind, size: 'S' }, ['a', 'b'], { pinned: 'a' });
      loaded.policy.record(d.id, { success: true, source: 'verification' });
    }
    const saved = await loaded.store.save(loaded.policy);
    assert.equal(saved.ok, true, saved.message);
  }

  const successes = async (key = 'model|kind=edit,size=S'): Promise<number> => {
    const loaded = await loadPolicy(file, opts());
    return loaded.policy.current.cells[key]?.arms.a?.s ?? 0;
  };

  it('creates, saves and reloads a versioned file', async () => {
    const first = await loadPolicy(file, opts());
    assert.equal(first.status, 'created');
    await learnAndSave(3);
    const text = JSON.parse(await readFile(file, 'utf8')) as { schema: string; version: number };
    assert.equal(text.schema, POLICY_SCHEMA);
    assert.equal(text.version, POLICY_VERSION);
    assert.equal(await successes(), 3);
    assert.equal((await loadPolicy(file, opts())).status, 'loaded');
  });

  it('migrates a version-1 file with a pure function', async () => {
    const v1 = { schema: POLICY_SCHEMA, version: 1, data: { priorId: 'test@1', cells: { 'model|kind=edit,size=S': { a: { succ: 4, fail: 1, costSum: 0.5, latSum: 100, n: 5 } } } } };
    const pure = migrate(structuredClone(v1));
    assert.ok(pure.ok);
    assert.deepEqual(migrate(structuredClone(v1)), pure, 'same input, same output');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'policy'), { recursive: true }));
    await writeFile(file, JSON.stringify(v1));
    const loaded = await loadPolicy(file, opts());
    assert.equal(loaded.status, 'migrated');
    const arm = loaded.policy.current.cells['model|kind=edit,size=S']?.arms.a;
    assert.deepEqual([arm?.s, arm?.f, arm?.cs, arm?.cn], [4, 1, 0.5, 5]);
  });

  it('S2: migrating an old file keeps the original as <file>.v1.bak, through later saves; a reload does not replace it', async () => {
    const v1 = { schema: POLICY_SCHEMA, version: 1, data: { priorId: 'test@1', cells: { 'model|kind=edit,size=S': { a: { succ: 4, fail: 1, costSum: 0.5, latSum: 100, n: 5 } } } } };
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'policy'), { recursive: true }));
    const original = JSON.stringify(v1);
    await writeFile(file, original);
    const loaded = await loadPolicy(file, opts());
    assert.equal(loaded.status, 'migrated');
    assert.equal(loaded.readOnly, false);
    const backup = `${file}.v1.bak`;
    assert.equal(await readFile(backup, 'utf8'), original);
    assert.match(loaded.message ?? '', /migrated from format 1 to 2; the original is kept as .*ws\.json\.v1\.bak/);
    // Two saves: the rolling backup (<file>.bak) no longer holds version 1 after the second; this one does.
    const d = loaded.policy.decide('model', { kind: 'edit', size: 'S' }, ['a', 'b'], { pinned: 'a' });
    loaded.policy.record(d.id, { success: true, source: 'verification' });
    assert.equal((await loaded.store.save(loaded.policy)).ok, true);
    await learnAndSave(1);
    assert.equal((JSON.parse(await readFile(`${file}.bak`, 'utf8')) as { version: number }).version, POLICY_VERSION);
    assert.equal(await readFile(backup, 'utf8'), original);
    // The same old file migrated again (restored by hand) does not overwrite the first copy.
    await writeFile(file, JSON.stringify({ ...v1, data: { ...v1.data, priorId: 'other@1' } }));
    assert.equal((await loadPolicy(file, opts())).status, 'migrated');
    assert.equal(await readFile(backup, 'utf8'), original);
  });

  it('S2: when the original cannot be backed up (disk full) the migrated policy is read-only and the file is untouched', async () => {
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'policy'), { recursive: true }));
    const original = JSON.stringify({ schema: POLICY_SCHEMA, version: 1, data: { priorId: 'test@1', cells: {} } });
    await writeFile(file, original);
    const loaded = await loadPolicy(file, { ...opts(), io: faultyIo({ freeBytes: 0 }) });
    assert.equal(loaded.status, 'migrated');
    assert.equal(loaded.readOnly, true);
    assert.match(loaded.message ?? '', /could not be backed up before migrating/);
    const d = loaded.policy.decide('model', { kind: 'edit', size: 'S' }, ['a', 'b']);
    loaded.policy.record(d.id, { success: true, source: 'verification' });
    assert.equal((await loaded.store.save(loaded.policy)).ok, false);
    assert.equal(await readFile(file, 'utf8'), original);
    assert.deepEqual((await readdir(join(dir, 'policy'))).sort(), ['ws.json']);
  });

  it('S2: migrations run one version at a time, in order, from the file\'s version to the current one', () => {
    const seen: string[] = [];
    const chain = {
      1: (d: unknown) => (seen.push('1->2'), { ...(d as object), two: true }),
      2: (d: unknown) => (seen.push('2->3'), { ...(d as object), three: (d as { two?: boolean }).two === true }),
      3: (d: unknown) => (seen.push('3->4'), { ...(d as object), four: true }),
    };
    const r = migrate({ schema: POLICY_SCHEMA, version: 2, data: { two: true } }, chain, 4);
    assert.deepEqual(seen, ['2->3', '3->4']);
    assert.deepEqual(r, { ok: true, data: { two: true, three: true, four: true }, from: 2 });
    assert.deepEqual(migrate({ schema: POLICY_SCHEMA, version: 5, data: {} }, chain, 4), { ok: false, reason: 'newer', version: 5 });
    assert.deepEqual(migrate({ schema: POLICY_SCHEMA, version: 1, data: {} }, { 1: chain[1] }, 3), { ok: false, reason: 'invalid', message: 'no migration from version 2' });
  });

  it('refuses a newer version: the file is untouched and nothing is saved', async () => {
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'policy'), { recursive: true }));
    const newer = JSON.stringify({ schema: POLICY_SCHEMA, version: POLICY_VERSION + 1, data: { future: true } });
    await writeFile(file, newer);
    const loaded = await loadPolicy(file, opts());
    assert.equal(loaded.status, 'newer-version');
    assert.equal(loaded.readOnly, true);
    assert.match(loaded.message ?? '', /newer AgensFlow/);
    const d = loaded.policy.decide('model', { kind: 'edit', size: 'S' }, ['a', 'b']);
    loaded.policy.record(d.id, { success: true, source: 'verification' });
    assert.equal((await loaded.store.save(loaded.policy)).ok, false);
    assert.equal(await readFile(file, 'utf8'), newer);
  });

  it('sets a corrupt file aside, uses the backup and tells the caller', async () => {
    await learnAndSave(2);
    await learnAndSave(3); // the second save backs up the first state (2 successes)
    await writeFile(file, '{"schema": "agensflow-policy", "vers');
    const loaded = await loadPolicy(file, opts());
    assert.equal(loaded.status, 'recovered-from-backup');
    assert.match(loaded.message ?? '', /could not be read/);
    assert.ok(loaded.setAside && /\.corrupt-/.test(loaded.setAside));
    assert.equal(await readFile(loaded.setAside, 'utf8'), '{"schema": "agensflow-policy", "vers', 'kept, not overwritten');
    assert.equal(loaded.policy.current.cells['model|kind=edit,size=S']?.arms.a?.s, 2);
    // Without a usable backup it starts over, still telling the caller.
    await rm(`${file}.bak`);
    await writeFile(file, '[]');
    const again = await loadPolicy(file, opts());
    assert.equal(again.status, 'reset-after-corruption');
    assert.ok(again.message);
    assert.ok((await readdir(join(dir, 'policy'))).filter((f) => f.includes('.corrupt-')).length >= 1);
  });

  it('rejects content that fails validation (a negative count) as corrupt', async () => {
    await learnAndSave(1);
    await learnAndSave(1);
    const env = JSON.parse(await readFile(file, 'utf8')) as { data: { cells: Record<string, { arms: Record<string, { s: number }> }> } };
    (env.data.cells['model|kind=edit,size=S'] as { arms: Record<string, { s: number }> }).arms.a = { s: -4 } as { s: number };
    await writeFile(file, JSON.stringify(env));
    const loaded = await loadPolicy(file, opts());
    assert.equal(loaded.status, 'recovered-from-backup');
  });

  it('two interleaved writers do not lose each other\'s updates', async () => {
    const one = await loadPolicy(file, opts());
    const two = await loadPolicy(file, opts());
    for (let i = 0; i < 5; i++) {
      for (const [w, kind] of [[one, 'edit'], [two, 'docs']] as const) {
        const d = w.policy.decide('model', { kind, size: 'S' }, ['a', 'b'], { pinned: 'a' });
        w.policy.record(d.id, { success: true, source: 'verification' });
      }
      // Saves race each other (both start before either finishes).
      const [r1, r2] = await Promise.all([one.store.save(one.policy), two.store.save(two.policy)]);
      assert.ok(r1.ok && r2.ok);
    }
    assert.equal(await successes('model|kind=edit,size=S'), 5);
    assert.equal(await successes('model|kind=docs,size=S'), 5);
    assert.equal(await successes('model|'), 10, 'the shared top cell holds both writers\' outcomes');
    await one.store.save(one.policy);
    assert.equal(one.policy.current.cells['model|']?.arms.a?.s, 10, 'a writer continues from the merged state');
  });

  it('two processes writing at once do not lose each other\'s updates', async function () {
    this.timeout(60_000);
    await learnAndSave(1);
    const run = (tag: string) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'writer-process.ts'), file, '8', tag], { stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('error', reject);
        child.on('exit', (code) => resolve(code ?? 1));
      });
    const codes = await Promise.all([run('1'), run('2')]);
    assert.deepEqual(codes, [0, 0]);
    assert.equal(await successes('model|kind=edit,size=S'), 9);
    assert.equal(await successes('model|kind=docs,size=S'), 8);
    assert.equal(await successes('model|'), 17);
  });

  it('exports learned beliefs and imports them as a capped prior without skip certificates', async () => {
    const loaded = await loadPolicy(file, opts());
    const p = loaded.policy;
    for (let i = 0; i < 60; i++) {
      const d = p.decide('model', { kind: 'edit', size: 'S' }, ['a', 'b'], { pinned: 'b' });
      p.record(d.id, { success: true, source: 'verification' });
      const c = p.decideCheck({ kind: 'edit', check: 'tests' }, { checkCostUsd: 0.15 });
      if (c.choice === 'run') p.record(c.id, { success: true, source: 'verification' });
    }
    assert.equal(p.decideCheck({ kind: 'edit', check: 'tests' }, { checkCostUsd: 0.15 }).audit.certificate?.granted, true);
    const exported = JSON.parse(JSON.stringify(exportPolicy(p, 7))) as unknown;
    const imported = importPolicy(exported, 8);
    assert.ok(imported.ok);
    assert.equal(Object.keys(imported.state.cells).length, 0, 'no counts come along');
    assert.ok(imported.document.points.model?.rules.every((r) => Object.values(r.arms).every((a) => (a.strength ?? 0) <= 12)));
    const saved = await loaded.store.replace(imported.state);
    assert.ok(saved.ok);
    const again = await loadPolicy(file, opts());
    const q = again.policy;
    const d = q.decide('model', { kind: 'edit', size: 'S' }, ['a', 'b'], { retry: true });
    assert.equal(d.choice, 'b', 'the learned preference arrives as a prior');
    assert.equal(q.decideCheck({ kind: 'edit', check: 'tests' }, { checkCostUsd: 0.15 }).choice, 'run', 'no certificate comes along');
    assert.equal(importPolicy({ schema: 'agensflow-policy-export', version: 1, document: { id: '' } }).ok, false);
    assert.equal(importPolicy('nonsense').ok, false);
  });

  it('a policy exported before the editFormat point imports with the shipped warm start for it, and so does a stored state holding such a prior', async () => {
    const old = await loadPolicy(file, opts());
    const exported = JSON.parse(JSON.stringify(exportPolicy(old.policy, 7))) as { document: { points: Record<string, unknown> } };
    assert.equal(exported.document.points.editFormat, undefined);
    const imported = importPolicy(exported, 8);
    assert.ok(imported.ok);
    assert.ok(imported.document.points.model, 'its own points are kept');
    const features = editFormatFeatures({ files: ['a.py'] }, 'gpt-4o-mini', 1);
    const d = new CoordinationPolicy(imported.document, imported.state, { rng: seededRng(1) }).decide('editFormat', features, [...EDIT_FORMAT_OPTIONS]);
    assert.equal(d.audit.greedy, 'search-replace');
    // The shipped belief for an existing file, not the flat belief of an unknown point.
    assert.deepEqual(d.audit.options.map((o) => [o.id, Number(o.pSuccess.toFixed(2)), o.priorRuns]), [['whole', 0.66, 8], ['search-replace', 0.84, 8]]);
    // A workspace whose stored prior lacks the point (imported by an older version) reads it filled in.
    const stored = { ...imported.state, prior: twoOptionDoc() };
    assert.ok((await old.store.replace(stored)).ok);
    const again = await loadPolicy(file, opts());
    assert.equal(again.status, 'loaded');
    assert.equal(again.policy.decide('editFormat', features, [...EDIT_FORMAT_OPTIONS]).audit.greedy, 'search-replace');
    assert.equal(again.policy.current.prior?.points.editFormat, undefined, 'the stored document is left as it was');
  });

  it('puts the CLI policy under <state>/policy/<sha256 of the real path>.json', async () => {
    const ws = await mkdtemp(join(dir, 'ws-'));
    const link = join(dir, 'link');
    await symlink(ws, link);
    const a = await policyPathFor('/state', ws);
    assert.match(a, /^\/state\/policy\/[0-9a-f]{64}\.json$/);
    assert.equal(await policyPathFor('/state', link), a, 'a symlink to the workspace gives the same file');
  });

  it('encodes a state in the versioned envelope', () => {
    const store = new PolicyStore(file, opts());
    assert.ok(store.backupPath.endsWith('.bak'));
    const env = JSON.parse(encodeState({ priorId: 'x', createdAt: 0, updatedAt: 0, decisions: 0, cells: {}, points: {}, open: {} })) as { version: number };
    assert.equal(env.version, POLICY_VERSION);
  });
});
