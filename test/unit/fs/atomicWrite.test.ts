import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isWriteError, removeStrayTemps, writeFileVerified } from '../../../src/core/fs/atomicWrite';
import { tempDirs } from '../run/tmp';
import { faultyIo } from './faultyIo';

describe('fs/atomicWrite: a write counts only when all of it reached the file', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  const setup = () => {
    const dir = tmp.make('af-aw-');
    const file = path.join(dir, 'f.txt');
    writeFileSync(file, 'original\n');
    return { dir, file };
  };
  const big = 'x'.repeat(200_000);

  it('completes writes that the OS cuts short (a loop, not one call)', async () => {
    const { file } = setup();
    const io = faultyIo({ chunk: 4096 });
    await writeFileVerified(file, big, { io });
    assert.equal(readFileSync(file, 'utf8'), big);
    assert.ok(io.matchedWrites >= 49, 'the data went in many short writes');
  });

  it('disk full (ENOSPC) part-way: a WriteError, the original intact, no temporary left', async () => {
    const { dir, file } = setup();
    await assert.rejects(writeFileVerified(file, big, { io: faultyIo({ freeBytes: 96 * 1024 }) }), (e: unknown) => isWriteError(e) && e.code === 'ENOSPC' && /no space left/.test(e.message));
    assert.equal(readFileSync(file, 'utf8'), 'original\n');
    assert.deepEqual(readdirSync(dir), ['f.txt']);
  });

  it('a write that silently stops (returns 0) is refused, never renamed into place', async () => {
    const { dir, file } = setup();
    await assert.rejects(writeFileVerified(file, big, { io: faultyIo({ stopAt: 98_304 }) }), (e: unknown) => isWriteError(e) && e.code === 'ESHORT');
    assert.equal(readFileSync(file, 'utf8'), 'original\n');
    assert.deepEqual(readdirSync(dir), ['f.txt']);
  });

  it('a size that fstat does not confirm is refused', async () => {
    const { dir, file } = setup();
    const io = faultyIo({});
    const lying = { ...io, fstat: async () => ({ size: 98_304 }) };
    await assert.rejects(writeFileVerified(file, big, { io: lying }), (e: unknown) => isWriteError(e) && e.code === 'ESIZE');
    assert.equal(readFileSync(file, 'utf8'), 'original\n');
    assert.deepEqual(readdirSync(dir), ['f.txt']);
  });

  it('keeps the mode of the file it replaces, and replaces a symlink instead of writing through it', async () => {
    const { dir, file } = setup();
    chmodSync(file, 0o754);
    await writeFileVerified(file, 'new\n');
    assert.equal(statSync(file).mode & 0o777, 0o754);
    const outside = tmp.make('af-aw-out-');
    writeFileSync(path.join(outside, 'target'), 'outside\n');
    symlinkSync(path.join(outside, 'target'), path.join(dir, 'link'));
    await writeFileVerified(path.join(dir, 'link'), 'mine\n');
    assert.equal(readFileSync(path.join(outside, 'target'), 'utf8'), 'outside\n');
    assert.ok(lstatSync(path.join(dir, 'link')).isFile());
  });

  it('removes the temporaries of a writer that died, not those of one still running', async () => {
    const { dir } = setup();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(path.join(dir, `.f.txt.${dead}.0badc0de.agensflow-tmp`), 'half');
    writeFileSync(path.join(dir, `.f.txt.${process.pid}.0badc0de.agensflow-tmp`), 'mine, in progress');
    assert.deepEqual(await removeStrayTemps(dir, 'f.txt'), [`.f.txt.${dead}.0badc0de.agensflow-tmp`]);
    assert.deepEqual(readdirSync(dir).sort(), [`.f.txt.${process.pid}.0badc0de.agensflow-tmp`, 'f.txt']);
  });
});
