/**
 * Run by diskFull.test.ts inside `unshare -Urm` with argv[2] a fresh 100 KB tmpfs: fills it up and reports,
 * as one JSON line on stdout, what applying a patch, writing the journal and saving the policy did.
 */
import { readdirSync, readFileSync, statfsSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { applyPatch } from '../../../src/core/run/apply';
import { isJournalWriteError } from '../../../src/core/run/errors';
import { RunJournal } from '../../../src/core/run/journal';
import { StagingArea } from '../../../src/core/run/staging';
import { PlanSchema } from '../../../src/core/plan/schema';
import { loadPolicy, seededRng } from '../../../src/core/policy';
import { twoOptionDoc } from '../policy/helpers';

const free = (dir: string): number => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

/** Writes filler files until at most `leave` bytes are free. */
function fill(dir: string, leave: number): void {
  let i = 0;
  for (;;) {
    const room = free(dir) - leave;
    if (room <= 0) return;
    try {
      writeFileSync(path.join(dir, `filler-${i++}`), Buffer.alloc(Math.min(room, 16 * 1024)));
    } catch {
      return;
    }
  }
}

async function main(): Promise<void> {
  const mount = process.argv[2] as string;
  const ws = path.join(mount, 'ws');
  const state = path.join(mount, 'state');
  mkdirSync(ws);
  mkdirSync(path.join(mount, 'filler'));
  const original = 'original content\n'.repeat(60);
  writeFileSync(path.join(ws, 'big.txt'), original);
  const layer = new StagingArea(ws).openLayer('t', ['big.txt'], []);
  await layer.stage('big.txt', 'z'.repeat(200 * 1024));
  const patch = await layer.seal('20260101-000000-000-abcdef');
  const plan = PlanSchema.parse({ tasks: [{ id: 't', title: 'T', objective: 'o', files: ['big.txt'] }] });
  const journal = await RunJournal.create(state, {
    version: 1, runId: patch.runId, createdAt: 0, updatedAt: 0, dir: ws, status: 'running',
    settings: { maxAgents: 1, apply: 'review', maxTurns: 1 }, plan,
    tasks: { t: { status: 'pending', attempts: 0, usage: { inputTokens: 0, outputTokens: 0, cost: 0 }, refusals: 0 } },
    usage: { inputTokens: 0, outputTokens: 0, cost: 0 }, decisions: [], resumes: 0,
  });
  const policyFile = path.join(state, 'policy', 'ws.json');
  const loaded = await loadPolicy(policyFile, { document: twoOptionDoc(), settings: { rng: seededRng(1) } });
  const d = loaded.policy.decide('model', { kind: 'edit', size: 'S' }, ['a', 'b'], { pinned: 'a' });
  loaded.policy.record(d.id, { success: true, source: 'verification' });
  const firstSave = await loaded.store.save(loaded.policy);
  const policyBefore = readFileSync(policyFile, 'utf8');

  // 1. The workspace's disk has about 96 KB left; the patch writes 200 KB.
  fill(path.join(mount, 'filler'), 96 * 1024);
  const freeBefore = free(mount);
  const applied = await applyPatch(ws, patch);
  const bigAfter = readFileSync(path.join(ws, 'big.txt'), 'utf8');

  // 2. The disk is full: the journal's patch and record, and the policy.
  fill(path.join(mount, 'filler'), 0);
  let savePatch = 'ok';
  await journal.savePatch({ ...patch, verified: 'passed' }).catch((e: unknown) => (savePatch = (e as Error).message));
  journal.update((r) => {
    r.status = 'completed';
    r.tasks.t.status = 'passed';
  });
  let flush = 'ok';
  await journal.flush().catch((e: unknown) => (flush = isJournalWriteError(e) ? `JournalWriteError: ${e.message}` : String(e)));
  const d2 = loaded.policy.decide('model', { kind: 'edit', size: 'S' }, ['a', 'b'], { pinned: 'a' });
  loaded.policy.record(d2.id, { success: true, source: 'verification' });
  const secondSave = await loaded.store.save(loaded.policy);

  process.stdout.write(`${JSON.stringify({
    freeBefore,
    applied,
    bigIntact: bigAfter === original,
    wsFiles: readdirSync(ws),
    savePatch,
    flush,
    patchFiles: readdirSync(path.join(state, 'runs', patch.runId, 'patches')),
    runFiles: readdirSync(path.join(state, 'runs', patch.runId)),
    recordStatus: (JSON.parse(readFileSync(path.join(state, 'runs', patch.runId, 'run.json'), 'utf8')) as { status: string }).status,
    firstSave,
    secondSave,
    policyIntact: readFileSync(policyFile, 'utf8') === policyBefore,
    policyFiles: readdirSync(path.dirname(policyFile)),
  })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
