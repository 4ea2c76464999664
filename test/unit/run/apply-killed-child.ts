/**
 * Run by applyCancel.test.ts and killed with SIGKILL: applies every proposed patch of run argv[3] in state
 * folder argv[2], pausing for ever once the temporary of a file named argv[4] is written (before its fsync),
 * after printing "paused". What it leaves behind is what a crash mid-apply leaves.
 */
import { nodeWriteIo } from '../../../src/core/fs/atomicWrite';
import { applyFsOver } from '../../../src/core/run/apply';
import { applyReviewedPatches } from '../../../src/core/run/review';

const [stateDir, runId, pauseAt] = process.argv.slice(2) as [string, string, string];
const fdNames = new Map<number, string>();
const io = {
  ...nodeWriteIo,
  open: async (file: string, flags: number, mode?: number) => {
    const fd = await nodeWriteIo.open(file, flags, mode);
    fdNames.set(fd, file);
    return fd;
  },
  fsync: async (fd: number) => {
    if ((fdNames.get(fd) ?? '').includes(`.${pauseAt}.`)) {
      process.stdout.write('paused\n');
      await new Promise<void>(() => undefined);
    }
    return nodeWriteIo.fsync(fd);
  },
};
void applyReviewedPatches(stateDir, runId, undefined, applyFsOver(io));
