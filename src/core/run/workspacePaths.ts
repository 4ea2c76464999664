/**
 * Where an agent may read and write, checked at staging time and again at apply time: paths are normalised,
 * resolved with realpath (a symlink in the workspace that leads outside, or into a file the task does not
 * own, is refused), protected paths are never written and `.env*` secrets never read (design.md, invariants).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errnoCode } from './errors';
import { checkWorkspacePath, isProtectedPath } from '../plan';

export type PathCheck = { ok: true; path: string; absolute: string } | { ok: false; reason: string };

/** The secrets rule: `.env`, `.env.local`, ... at any depth, any case. */
export function isSecretPath(rel: string): boolean {
  return rel.split('/').some((seg) => seg.toLowerCase().startsWith('.env'));
}

/**
 * Normalises `input` against the workspace lexically (no file system access): absolute, escaping and NUL
 * paths are refused. Protected paths pass here (they may be read); writes check them separately.
 */
export function lexicalCheck(input: string): { ok: true; path: string } | { ok: false; reason: string } {
  const c = checkWorkspacePath(input);
  if (c.ok) return { ok: true, path: c.path };
  if (c.problem !== 'protected-path') return { ok: false, reason: `${JSON.stringify(input)} is outside the workspace: ${c.reason}` };
  const rel = path.posix.normalize(input.replace(/\\/g, '/')).replace(/\/+$/, '');
  return { ok: true, path: rel };
}

/** `realpath` of the deepest existing ancestor of `abs`, with the missing tail appended. */
async function resolveExisting(abs: string): Promise<string> {
  const tail: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      const real = await fs.realpath(cur);
      return tail.length ? path.join(real, ...tail.reverse()) : real;
    } catch (e) {
      const code = errnoCode(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      tail.push(path.basename(cur));
      cur = parent;
    }
  }
}

/** Guards one workspace root; caches the root's own realpath. */
export class WorkspaceGuard {
  private realRoot: Promise<string> | undefined;

  constructor(readonly root: string) {}

  private rootReal(): Promise<string> {
    this.realRoot ??= fs.realpath(this.root);
    return this.realRoot;
  }

  /**
   * Resolves `input` for `mode`. For writes, `mayWrite(rel)` says whether the task owns the path; it is
   * asked for the lexical path and, when a symlink redirects, for the path the link leads to.
   */
  async check(input: string, mode: 'read' | 'write', mayWrite?: (rel: string) => boolean): Promise<PathCheck> {
    const lex = lexicalCheck(input);
    if (!lex.ok) return lex;
    const rel = lex.path;
    if (mode === 'read' && isSecretPath(rel)) return { ok: false, reason: `${rel} holds secrets and is never readable` };
    if (mode === 'write' && isProtectedPath(rel)) return { ok: false, reason: `${rel} is a protected path` };
    if (mode === 'write' && mayWrite && !mayWrite(rel)) return { ok: false, reason: `${rel} is not one of this task's files` };
    const root = await this.rootReal();
    const real = await resolveExisting(path.join(root, ...rel.split('/')));
    const back = path.relative(root, real);
    if (back.startsWith('..') || path.isAbsolute(back)) {
      return { ok: false, reason: `${rel} resolves outside the workspace (symlink)` };
    }
    const realRel = back.split(path.sep).join('/');
    if (realRel !== rel) {
      // A symlink inside the workspace: the target must pass the same rules as the name.
      if (mode === 'read' && isSecretPath(realRel)) return { ok: false, reason: `${rel} leads to secrets` };
      if (mode === 'write' && isProtectedPath(realRel)) return { ok: false, reason: `${rel} leads to the protected path ${realRel}` };
      if (mode === 'write' && mayWrite && !mayWrite(realRel)) return { ok: false, reason: `${rel} leads to ${realRel}, which this task does not own` };
    }
    return { ok: true, path: rel, absolute: real };
  }
}
