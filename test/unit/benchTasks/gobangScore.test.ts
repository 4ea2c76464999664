import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { scoreGobang } from '../../../bench/tasks/score/gobang';
import { tempDirs } from '../run/tmp';
import { edit, SCRIPTS, writeGood } from './outputs';

const verdict = (s: Awaited<ReturnType<typeof scoreGobang>>): Record<string, boolean> => Object.fromEntries(s.criteria.map((c) => [c.name, c.ok]));

describe('bench:tasks gobang scorer (python3, stand-in tkinter)', function () {
  this.timeout(60_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());
  const good = (): string => writeGood(SCRIPTS.gobang, tmp.make('af-gobang-'));

  it('a known-good program scores every criterion', async () => {
    const s = await scoreGobang(good());
    assert.deepEqual(verdict(s), { Compilable: true, Interactable: true, 'Game rule': true }, JSON.stringify(s.criteria));
    assert.equal(s.score, 1);
  });

  it('a syntax error fails Compilable, with the error in the reason', async () => {
    const dir = good();
    edit(dir, 'ai.py', 'def choose_move(board, player):', 'def choose_move(board, player)');
    const s = await scoreGobang(dir);
    assert.equal(verdict(s).Compilable, false);
    assert.match(s.criteria[0]!.why, /SyntaxError/);
    assert.equal(verdict(s).Interactable, false, 'main cannot import ai');
  });

  it('a GUI that crashes at start fails Compilable but the game logic still scores', async () => {
    const dir = good();
    edit(dir, 'gui.py', 'self.root.title("Gobang")', 'self.root.title("Gobang")\n        raise RuntimeError("no window")');
    assert.deepEqual(verdict(await scoreGobang(dir)), { Compilable: false, Interactable: true, 'Game rule': true });
  });

  it('a computer that never answers fails Interactable', async () => {
    const dir = good();
    edit(dir, 'main.py', /if self\.winner is None:\n\s+self\._computer_move\(\)\n\s+return True/, 'return True');
    const s = await scoreGobang(dir);
    assert.equal(verdict(s).Interactable, false);
    assert.match(s.criteria[1]!.why, /1 black \+ 1 white/);
  });

  it('accepting a move on an occupied cell fails Interactable', async () => {
    const dir = good();
    edit(dir, 'main.py', 'or not is_legal(self.board, row, col)', '');
    assert.equal(verdict(await scoreGobang(dir)).Interactable, false);
  });

  it('a game that never sees five in a row fails Game rule', async () => {
    const dir = good();
    edit(dir, 'rules.py', 'return any(line_length(board, row, col, dr, dc) >= 5 for dr, dc in DIRECTIONS)', 'return False');
    const s = await scoreGobang(dir);
    assert.deepEqual(verdict(s), { Compilable: true, Interactable: true, 'Game rule': false });
    assert.match(s.criteria[2]!.why, /five black stones in a row: expected winner 1/);
  });

  it('a game that ends on four fails Game rule', async () => {
    const dir = good();
    edit(dir, 'rules.py', '>= 5 for dr, dc in DIRECTIONS', '>= 4 for dr, dc in DIRECTIONS');
    assert.equal(verdict(await scoreGobang(dir))['Game rule'], false);
  });

  it('without main.py every criterion fails', async () => {
    const dir = good();
    rmSync(path.join(dir, 'main.py'));
    const s = await scoreGobang(dir);
    assert.equal(s.score, 0);
    assert.match(s.criteria[0]!.why, /no main\.py/);
  });
});
