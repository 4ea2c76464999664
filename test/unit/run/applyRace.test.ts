/**
 * Break 4 (check-then-write race): while a patch is being applied, another process keeps swapping a folder of
 * the workspace for a symlink to a folder outside holding the same files. Whatever the interleaving, nothing
 * outside is ever written: apply reaches each folder without following symlinks and writes through the held
 * folder, so a swap can only fail the patch (rolled back), never redirect it.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyPatch } from '../../../src/core/run/apply';
import { StagingArea } from '../../../src/core/run/staging';
import { tempDirs } from './tmp';

/**
 * The attacker: watches `dir/f00.txt` (the first file a patch writes) and, the moment it changes (the checks
 * are done, the writes have begun), swaps `dir` for a symlink to `outside` for a moment, then swaps it back.
 * Runs until the file `stop` exists (at most a minute) and leaves `dir` real.
 */
const SWAPPER = `
const fs = require('fs');
const [dir, outside, stop] = process.argv.slice(1);
const aside = dir + '.real';
const end = Date.now() + 60000;
const read = () => { try { return fs.readFileSync(dir + '/f00.txt', 'utf8'); } catch (e) { return undefined; } };
let last = read();
let flips = 0;
process.stdout.write('ready\\n');
while (Date.now() < end && !fs.existsSync(stop)) {
  const cur = read();
  if (cur === undefined || cur === last) continue;
  try {
    fs.renameSync(dir, aside);
    fs.symlinkSync(outside, dir);
    flips++;
    process.stdout.write('flip\\n');
    const until = Date.now() + 15;
    while (Date.now() < until) {}
    fs.unlinkSync(dir);
    fs.renameSync(aside, dir);
  } catch (e) {}
  last = read();
}
try { fs.lstatSync(dir).isSymbolicLink() && fs.unlinkSync(dir); } catch (e) {}
try { fs.renameSync(aside, dir); } catch (e) {}
process.stdout.write(String(flips) + '\\n');
`;

describe('run/apply against a racing symlink swapper', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('never writes outside the workspace, however the swaps interleave with the writes', async function () {
    this.timeout(60_000);
    const ws = tmp.make('af-ws-');
    const outside = tmp.make('af-outside-');
    const sub = path.join(ws, 'sub');
    mkdirSync(sub);
    const names = Array.from({ length: 20 }, (_, i) => `f${String(i).padStart(2, '0')}.txt`);
    for (const n of names) {
      writeFileSync(path.join(sub, n), 'base\n');
      writeFileSync(path.join(outside, n), 'base\n'); // the same bytes: a content check alone cannot tell them apart
    }
    // Two patches that undo each other (base -> patched -> base), so every trial has files to write.
    const makePatch = async (to: string) => {
      const layer = new StagingArea(ws).openLayer('t', [...names.map((n) => `sub/${n}`), 'sub/deeper/new.txt'], []);
      for (const n of names) await layer.stage(`sub/${n}`, to);
      await layer.stage('sub/deeper/new.txt', to === 'base\n' ? null : 'created\n');
      return layer.seal('r');
    };
    const forward = await makePatch('patched\n');
    assert.equal((await applyPatch(ws, forward)).state, 'applied');
    const backward = await makePatch('base\n');
    assert.equal((await applyPatch(ws, backward)).state, 'applied');

    const stop = path.join(outside, '..', `${path.basename(outside)}.stop`);
    const child = spawn(process.execPath, ['-e', SWAPPER, sub, outside, stop], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    const flips = (): number => lines.filter((l) => l === 'flip').length;
    const ready = new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => {
      lines.push(...d.toString().split('\n').filter(Boolean));
      if (lines.includes('ready')) resolve();
    }));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await ready;
    const states: Record<string, number> = {};
    let trials = 0;
    let next = forward;
    // Until the attacker has struck a few times (it reacts to the first write of a trial, so on a loaded machine
    // it may miss some trials): bounded by a trial count, never by wall time.
    while (trials < 8 || (flips() < 3 && trials < 400)) {
      const res = await applyPatch(ws, next);
      states[res.state] = (states[res.state] ?? 0) + 1;
      trials++;
      if (res.state === 'applied') next = next === forward ? backward : forward;
    }
    writeFileSync(stop, '');
    await exited;
    rmSync(stop);
    assert.ok(Number(lines.at(-1)) >= 1, `the swapper never struck (${lines.at(-1)})`);
    if (process.env.AF_RACE_DEBUG) console.log(trials, lines.at(-1), states);
    for (const n of names) assert.equal(readFileSync(path.join(outside, n), 'utf8'), 'base\n', `outside/${n} was written (trials: ${JSON.stringify(states)})`);
    assert.deepEqual(readdirSync(outside).sort(), names, 'nothing created outside');
  });
});
