/**
 * Break 3 / W5 on a real full disk: a 100 KB tmpfs mounted in a private mount namespace (`unshare -Urm`, no
 * privileges needed where user namespaces are enabled). Skipped, with the reason, where that is not possible;
 * the injected-fault tests (applyFaults, journalFaults, policy storeFaults) hold the same promises everywhere.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { tempDirs } from './tmp';

function canMountTmpfs(dir: string): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  const r = spawnSync('unshare', ['-Urm', 'sh', '-c', 'mount -t tmpfs -o size=100k tmpfs "$1"', 'sh', dir], { encoding: 'utf8' });
  if (r.error) return `unshare is not available (${r.error.message})`;
  if (r.status !== 0) return `cannot mount a tmpfs in a user namespace: ${r.stderr.trim()}`;
  return undefined;
}

describe('a real full disk (100 KB tmpfs)', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('apply, the journal and the policy store fail cleanly: originals whole, no truncated file, no temporary, never "success"', function () {
    this.timeout(60_000);
    const mount = tmp.make('af-tmpfs-');
    const why = canMountTmpfs(mount);
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    const child = path.join(__dirname, 'disk-full-child.ts');
    const script = 'mount -t tmpfs -o size=100k tmpfs "$1" && exec "$2" --import tsx "$3" "$1"';
    const r = spawnSync('unshare', ['-Urm', 'sh', '-c', script, 'sh', mount, process.execPath, child], { encoding: 'utf8', cwd: path.join(__dirname, '..', '..', '..') });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown> & { applied: { state: string; error?: string; rolledBack?: boolean } };
    assert.ok((out.freeBefore as number) < 200 * 1024, `the disk had ${String(out.freeBefore)} bytes free`);
    assert.equal(out.applied.state, 'failed', JSON.stringify(out.applied));
    assert.match(out.applied.error ?? '', /^cannot write big\.txt: no space left on device$/);
    assert.equal(out.bigIntact, true, 'the original file is whole');
    assert.deepEqual(out.wsFiles, ['big.txt'], 'no temporary left in the workspace');
    assert.match(out.savePatch as string, /no space left on device/);
    assert.match(out.flush as string, /^JournalWriteError: the run journal could not be saved/);
    assert.deepEqual(out.patchFiles, [], 'no truncated patch file');
    assert.deepEqual((out.runFiles as string[]).sort(), ['patches', 'run.json']);
    assert.equal(out.recordStatus, 'running', 'the record on disk is the last one written whole, not "completed"');
    assert.deepEqual(out.firstSave, { ok: true });
    assert.match((out.secondSave as { ok: boolean; message: string }).message, /could not save the policy .*no space left on device/);
    assert.equal((out.secondSave as { ok: boolean }).ok, false);
    assert.equal(out.policyIntact, true, 'the policy keeps its previous version');
    assert.deepEqual((out.policyFiles as string[]).sort(), ['ws.json'], 'no temporary, no lock left');
  });
});
