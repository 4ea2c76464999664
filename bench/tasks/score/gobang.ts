/**
 * Scores a gobang output folder per the paper's criteria, headless: tkinter is replaced by a stand-in
 * (fake_tk/ on PYTHONPATH) so the GUI starts and returns without a display.
 * - Compilable: every .py compiles, and `python3 main.py` starts and exits 0 (mainloop returns at once);
 * - Interactable: through `main.Game` (the entry point fixed by {@link GOBANG_ENTRY_SENTENCE}) the human's
 *   and the computer's moves both land, for either colour;
 * - Game rule: five in a row ends the game with the right winner (a human five; a full game against a human
 *   who never defends ends exactly when five appear), and no move is taken afterwards.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findTool, lastLine, runTool } from './run-tool';
import { scoreOf, type Criterion, type TaskScore } from './types';

/**
 * The one sentence the benchmark appends to the paper's gobang prompt, so a scorer can play the game
 * without a display (the paper's prompt has no entry point; the report says so).
 */
export const GOBANG_ENTRY_SENTENCE =
  'For automated testing, main.py in the workspace root must start the GUI when run and must define (or import) a class Game(human_color) usable without a display, where human_color is "black" or "white" and black moves first: its attribute board is the live 15x15 list of lists (0 empty, 1 black, 2 white), winner is None while the game goes on and then 1 or 2 (0 for a full board), and human_move(row, col) plays the human\'s stone and then the AI\'s reply and returns False, changing nothing, for an illegal move.';

const FAKE_TK = path.join(__dirname, 'fake_tk');
const HARNESS = path.join(__dirname, 'gobang_harness.py');

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.py') && !d.parentPath.includes('__pycache__'))
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort();
}

interface HarnessOut {
  interactable?: { ok: boolean; why: string };
  rule?: { ok: boolean; why: string };
}

/** Scores the gobang program in `dir`. Needs python3 (every criterion fails, saying so, without it). */
export async function scoreGobang(dir: string): Promise<TaskScore> {
  const python = findTool('python3');
  if (!python) {
    const why = 'python3 is not installed';
    return scoreOf('gobang', ['Compilable', 'Interactable', 'Game rule'].map((name) => ({ name, ok: false, why })));
  }
  const env = { PYTHONPATH: FAKE_TK, PYTHONDONTWRITEBYTECODE: '1', DISPLAY: '' };
  const files = pythonFiles(dir);
  let compilable: Criterion;
  if (files.length === 0) compilable = { name: 'Compilable', ok: false, why: 'no .py file' };
  else if (!existsSync(path.join(dir, 'main.py'))) compilable = { name: 'Compilable', ok: false, why: 'no main.py in the root (the entry point the prompt asks for)' };
  else {
    const compiled = await runTool(python, ['-B', '-c', 'import sys\nfor f in sys.argv[1:]: compile(open(f, "rb").read(), f, "exec")', ...files], dir, env);
    const started = compiled.ok ? await runTool(python, ['-B', 'main.py'], dir, env, 30_000) : undefined;
    compilable = !compiled.ok
      ? { name: 'Compilable', ok: false, why: `does not compile: ${lastLine(compiled.output)}` }
      : started?.ok
        ? { name: 'Compilable', ok: true, why: `${files.length} file(s) compile; python3 main.py starts and exits 0` }
        : { name: 'Compilable', ok: false, why: `python3 main.py ${started?.timedOut ? 'did not return within 30 s' : `failed: ${lastLine(started?.output ?? '')}`}` };
  }

  const scratch = mkdtempSync(path.join(tmpdir(), 'agensflow-gobang-score-'));
  try {
    const outFile = path.join(scratch, 'out.json');
    const played = await runTool(python, ['-B', HARNESS, dir, outFile], dir, env, 120_000);
    let out: HarnessOut = {};
    if (existsSync(outFile)) out = JSON.parse(readFileSync(outFile, 'utf8')) as HarnessOut;
    const missing = played.timedOut ? 'the headless game did not finish within 120 s' : `the headless game crashed: ${lastLine(played.output)}`;
    return scoreOf('gobang', [
      compilable,
      { name: 'Interactable', ok: out.interactable?.ok ?? false, why: out.interactable?.why ?? missing },
      { name: 'Game rule', ok: out.rule?.ok ?? false, why: out.rule?.why ?? missing },
    ]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
