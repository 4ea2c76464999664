/** Known-good outputs of the paper's tasks (the scripted answers) written to a folder, and ways to break them. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gobang } from '../../../bench/tasks/scripted/gobang';
import { slides } from '../../../bench/tasks/scripted/slides';
import type { ScriptedTask } from '../../../bench/tasks/scripted/types';
import { website } from '../../../bench/tasks/scripted/website';

/** Writes the final (repaired) answer of every task of `script`'s chosen plan into `dir`. */
export function writeGood(script: ScriptedTask, dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const t of script.candidates[0]!.tasks) {
    const answer = script.files(t.id, 'Revised after a failed check:');
    for (const [file, content] of Object.entries(answer?.files ?? {})) writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

/** Replaces `from` (which must occur) with `to` in `dir/file`. */
export function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const p = path.join(dir, file);
  const text = readFileSync(p, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`edit: ${String(from)} not found in ${file}`);
  writeFileSync(p, next);
}

export const SCRIPTS = { gobang, slides, website };
