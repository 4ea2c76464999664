/** The policy store under a full disk (W5) and short writes: the previous version stays whole, nothing is lost. */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy, seededRng } from '../../../src/core/policy';
import { faultyIo } from '../fs/faultyIo';
import { twoOptionDoc } from './helpers';

describe('policy store: a full disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'policy-faults-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('W5: ENOSPC while saving: a clear failure, the previous file whole, no temporary, the learning kept for the next save', async () => {
    const file = join(dir, 'policy', 'ws.json');
    const io = faultyIo({ match: () => false });
    const opts = { document: twoOptionDoc(), settings: { rng: seededRng(1) }, io };
    const loaded = await loadPolicy(file, opts);
    const learn = (): void => {
      const d = loaded.policy.decide('model', { kind: 'edit', size: 'S' }, ['a', 'b'], { pinned: 'a' });
      loaded.policy.record(d.id, { success: true, source: 'verification' });
    };
    learn();
    assert.equal((await loaded.store.save(loaded.policy)).ok, true);
    const before = await readFile(file, 'utf8');
    learn();
    io.setPlan({ match: (f) => f.includes('ws.json'), freeBytes: 40 });
    const failed = await loaded.store.save(loaded.policy);
    assert.equal(failed.ok, false);
    assert.match(failed.message ?? '', /could not save the policy to .*ws\.json: no space left on device/);
    assert.equal(await readFile(file, 'utf8'), before, 'the previous version is whole');
    assert.deepEqual((await readdir(join(dir, 'policy'))).sort(), ['ws.json'], 'no temporary and no lock left');
    io.setPlan({ match: () => false });
    assert.equal((await loaded.store.save(loaded.policy)).ok, true);
    const again = await loadPolicy(file, { document: twoOptionDoc(), settings: { rng: seededRng(1) } });
    assert.equal(again.policy.current.cells['model|kind=edit,size=S']?.arms.a?.s, 2, 'the outcome learned while the disk was full was saved later');
  });
});
