/** A {@link WriteIo} over Node's that injects faults: ENOSPC after a byte budget, short writes, pauses. */
import { nodeWriteIo, type WriteIo } from '../../../src/core/fs/atomicWrite';

export interface FaultPlan {
  /** Which paths the faults apply to (default: all). */
  match?: (file: string) => boolean;
  /** Bytes the "disk" still takes (over all matched files); then ENOSPC, after a short write of what fits. */
  freeBytes?: number;
  /** A write never passes more than this many bytes (short writes that a correct loop completes). */
  chunk?: number;
  /** Every write returns 0 bytes after this many bytes of a file (a silent short write). */
  stopAt?: number;
  /** Throws this errno code from open() of a matched file. */
  openError?: string;
}

export function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected`), { code });
}

/** Node's fs with `plan`'s faults; `matchedWrites` counts matched write() calls. */
export function faultyIo(plan: FaultPlan): WriteIo & { matchedWrites: number; setPlan(p: FaultPlan): void } {
  let free = plan.freeBytes ?? Infinity;
  const byFd = new Map<number, string>();
  const io = {
    matchedWrites: 0,
    setPlan(p: FaultPlan) {
      plan = p;
      free = p.freeBytes ?? Infinity;
    },
    async open(file: string, flags: number, mode?: number) {
      const matched = plan.match ? plan.match(file) : true;
      if (matched && plan.openError) throw errno(plan.openError);
      const fd = await nodeWriteIo.open(file, flags, mode);
      if (matched) byFd.set(fd, file);
      return fd;
    },
    async write(fd: number, data: Uint8Array, offset: number, length: number, position: number) {
      if (!byFd.has(fd)) return nodeWriteIo.write(fd, data, offset, length, position);
      io.matchedWrites++;
      if (plan.stopAt !== undefined && position >= plan.stopAt) return 0;
      let n = Math.min(length, plan.chunk ?? length, plan.stopAt !== undefined ? plan.stopAt - position : length);
      if (free <= 0) throw errno('ENOSPC');
      n = Math.min(n, free);
      free -= n;
      return nodeWriteIo.write(fd, data, offset, n, position);
    },
    fsync: (fd: number) => nodeWriteIo.fsync(fd),
    fstat: (fd: number) => nodeWriteIo.fstat(fd),
    fchmod: (fd: number, mode: number) => nodeWriteIo.fchmod(fd, mode),
    async close(fd: number) {
      byFd.delete(fd);
      return nodeWriteIo.close(fd);
    },
    rename: (a: string, b: string) => nodeWriteIo.rename(a, b),
    unlink: (f: string) => nodeWriteIo.unlink(f),
  };
  return io;
}
