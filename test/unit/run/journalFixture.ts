/** A run journal holding proposed patches, for tests of applying them (no engine run needed). */
import { PlanSchema } from '../../../src/core/plan/schema';
import { RunJournal } from '../../../src/core/run/journal';
import type { TaskPatch } from '../../../src/core/run/patch';

/** Writes a completed run of `patches` (one task each, all passed and proposed) in `stateDir`; `deps` by task id. */
export async function journalWithPatches(stateDir: string, ws: string, patches: TaskPatch[], deps: Record<string, string[]> = {}): Promise<RunJournal> {
  const runId = patches[0]!.runId;
  const plan = PlanSchema.parse({ tasks: patches.map((p) => ({ id: p.taskId, title: p.taskId, objective: 'o', files: p.files.map((f) => f.path), deps: deps[p.taskId] ?? [] })) });
  const usage = () => ({ inputTokens: 0, outputTokens: 0, cost: 0 });
  const j = await RunJournal.create(stateDir, {
    version: 1, runId, createdAt: 0, updatedAt: 0, dir: ws, status: 'completed',
    settings: { maxAgents: 1, apply: 'review', maxTurns: 1 }, plan,
    tasks: Object.fromEntries(patches.map((p) => [p.taskId, { status: 'passed' as const, attempts: 1, usage: usage(), refusals: 0, patch: { state: 'proposed' as const, files: p.files.map((f) => f.path) } }])),
    usage: usage(), decisions: [], resumes: 0,
  });
  for (const p of patches) await j.savePatch(p);
  await j.flush();
  return j;
}
