/**
 * The scripted gobang run: the paper's prompt (plus the benchmark's entry-point sentence), three plan
 * candidates, a working Python program (the .py files beside this module), and one injected failure: the
 * agent of task `ai` writes a truncated ai.py (a syntax error) until the updater revises that task.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PlanInput, TaskInput } from '../../../src/core/plan/schema';
import { GOBANG_ENTRY_SENTENCE } from '../score/gobang';
import { PAPER_PROMPTS } from '../prompts';
import type { AgentAnswer, ScriptedTask } from './types';

const SOURCE = path.join(__dirname, 'gobang');
const read = (file: string): string => readFileSync(path.join(SOURCE, file), 'utf8');

/** The marker the updater puts in the revised objective; the scripted agent then writes a complete file. */
const REVISED = 'Revised after a failed check:';

const rules: TaskInput = {
  id: 'rules',
  title: 'Board and rules',
  objective: 'rules.py: a 15x15 board of 0/1/2, legal moves, five in a row in every direction, a full board.',
  role: 'python developer',
  files: ['rules.py'],
  acceptance: ['15x15 board', 'detects five in a row horizontally, vertically and diagonally', 'detects a full board'],
};
const ai: TaskInput = {
  id: 'ai',
  title: 'Computer player',
  objective: 'ai.py: choose_move(board, player) scores the cells near the stones for attack and defence and returns the best.',
  role: 'python developer',
  deps: ['rules'],
  files: ['ai.py'],
  acceptance: ['completes its own four', 'blocks an open four', 'plays the centre on an empty board'],
};
const gui: TaskInput = {
  id: 'gui',
  title: 'Tkinter window',
  objective: 'gui.py: GobangApp(make_game) draws the board, places the human stone on click, shows whose turn it is, lets the human choose black or white, and announces the winner.',
  role: 'python developer',
  deps: ['rules'],
  files: ['gui.py'],
  acceptance: ['shows whose turn it is', 'colour choice', 'a message names the winner'],
};
const main = (deps: string[]): TaskInput => ({
  id: 'main',
  title: 'Game and entry point',
  objective: 'main.py: class Game (turns, the human move then the AI reply, winner or draw) and python3 main.py starting the GUI.',
  role: 'python developer',
  deps,
  files: ['main.py'],
  acceptance: ['black moves first', 'the game ends on five in a row or a full board', 'Game usable without a display'],
});

const goal = 'A single-player gobang game in Python with a Tkinter GUI and an AI opponent';
const plan = (tasks: TaskInput[]): PlanInput => ({ goal, tasks });

/** The broken first answer of `ai`: the file stops after a `def` line (an IndentationError). */
function truncated(text: string): string {
  const cut = text.indexOf('def choose_move');
  return text.slice(0, text.indexOf('\n', cut) + 1);
}

export const gobang: ScriptedTask = {
  name: 'gobang',
  prompt: `${PAPER_PROMPTS.gobang} ${GOBANG_ENTRY_SENTENCE}`,
  candidates: [
    // A chain (P_avg 1), the wide plan (P_avg 4/3, 4 edges: chosen), the wide plan with a redundant edge.
    plan([rules, { ...ai }, { ...gui, deps: ['ai'] }, main(['gui'])]),
    plan([rules, ai, gui, main(['ai', 'gui'])]),
    plan([rules, ai, gui, main(['ai', 'gui', 'rules'])]),
  ],
  files(id, objective): AgentAnswer | undefined {
    switch (id) {
      case 'rules':
        return { files: { 'rules.py': read('rules.py') } };
      case 'ai':
        return objective.includes(REVISED)
          ? { files: { 'ai.py': read('ai.py') } }
          : { files: { 'ai.py': truncated(read('ai.py')) }, injected: 'ai.py is cut off after the choose_move header (a syntax error) until the updater revises the task' };
      case 'gui':
        return { files: { 'gui.py': read('gui.py') } };
      case 'main':
        return { files: { 'main.py': read('main.py') } };
      default:
        return undefined;
    }
  },
  update(id) {
    if (id !== 'ai') return undefined;
    return {
      reason: 'ai.py stops after the choose_move header: ask for the complete module, one helper per concern, and keep the interface unchanged',
      replace: [{ ...ai, objective: `${ai.objective} ${REVISED} write the whole module, ending with choose_move's body; keep the signature choose_move(board, player).` }],
      add: [],
      remove: [],
    };
  },
};

/** The same run without the injected failure: every agent's first answer is the working file. */
export const gobangWithoutFailure: ScriptedTask = {
  ...gobang,
  files: (id, objective) => gobang.files(id, `${objective} ${REVISED}`),
};
