/**
 * Run by storeCrash.test.ts and killed with SIGKILL: loads the policy at argv[2], learns one outcome, and saves
 * it through file operations that stop for ever at step argv[3] (`open`: the temporary just created; `fsync`:
 * its bytes written; `rename`: about to rename; `renamed`: renamed, folder not yet synced), printing "at".
 */
import { constants } from 'node:fs';
import { nodeWriteIo, type WriteIo } from '../../../src/core/fs/atomicWrite';
import { loadPolicy, seededRng } from '../../../src/core/policy';
import { twoOptionDoc } from './helpers';

const [file, step] = process.argv.slice(2) as [string, string];
const stop = async (): Promise<never> => {
  process.stdout.write('at\n');
  return new Promise<never>(() => undefined);
};
const temps = new Set<number>();
let renamed = false;
const io: WriteIo = {
  ...nodeWriteIo,
  open: async (path, flags, mode) => {
    const fd = await nodeWriteIo.open(path, flags, mode);
    const isTemp = path.endsWith('.agensflow-tmp') && !path.includes('.bak.');
    if (isTemp) temps.add(fd);
    if (isTemp && step === 'open') await stop();
    if (step === 'renamed' && renamed && (flags & constants.O_DIRECTORY) !== 0) await stop();
    return fd;
  },
  fsync: async (fd) => {
    if (temps.has(fd) && step === 'fsync') await stop();
    return nodeWriteIo.fsync(fd);
  },
  rename: async (from, to) => {
    if (step === 'rename' && !to.endsWith('.bak')) await stop();
    await nodeWriteIo.rename(from, to);
    if (!to.endsWith('.bak')) renamed = true;
  },
};

async function main(): Promise<void> {
  const loaded = await loadPolicy(file, { document: twoOptionDoc(), settings: { rng: seededRng(1) }, io });
  const d = loaded.policy.decide('model', { kind: 'edit', size: 'S' }, ['a', 'b'], { pinned: 'a' });
  loaded.policy.record(d.id, { success: true, source: 'verification' });
  await loaded.store.save(loaded.policy);
  process.stdout.write('saved\n');
}
void main();
