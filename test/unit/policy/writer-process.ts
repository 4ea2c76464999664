/**
 * A second writer for the concurrency test: loads the policy at argv[2], makes argv[3] decisions each with an
 * outcome, saving after each one, and exits non-zero on any failed save.
 */
import { loadPolicy, seededRng } from '../../../src/core/policy';
import { twoOptionDoc } from './helpers';

async function main(): Promise<void> {
  const [path, count, tag] = process.argv.slice(2);
  const loaded = await loadPolicy(path as string, { document: twoOptionDoc(), settings: { rng: seededRng(Number(tag)) } });
  for (let i = 0; i < Number(count); i++) {
    const d = loaded.policy.decide('model', { kind: tag === '1' ? 'edit' : 'docs', size: 'S' }, ['a', 'b'], { pinned: 'a' });
    loaded.policy.record(d.id, { success: true, source: 'verification' });
    const saved = await loaded.store.save(loaded.policy);
    if (!saved.ok) throw new Error(saved.message);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
