/**
 * `run_checks`: the task's verification checks (built-ins and the user's verifiers, not the inspector) on its
 * staged files now, so the agent can fix what they find before it finishes. Bounded per attempt; the findings
 * come back as `file:line: message` lines, capped with a note.
 */
import { z } from 'zod';
import type { Finding } from '../events';
import { findingLine } from '../findings';
import { defineTool, toolError } from './types';

/** Findings one call shows, characters of one finding, characters of the whole result. */
export const RUN_CHECKS_MAX_FINDINGS = 30;
const FINDING_CHARS = 500;
export const RUN_CHECKS_MAX_CHARS = 8_000;

/** Calls of `run_checks` per attempt when the settings do not say. */
export const DEFAULT_AGENT_CHECKS_PER_ATTEMPT = 3;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The findings as lines within the caps, and a note when some were left out. */
function findingLines(findings: readonly Finding[]): string[] {
  const out: string[] = [];
  let chars = 0;
  for (const f of findings.slice(0, RUN_CHECKS_MAX_FINDINGS)) {
    const full = findingLine(f).replace(/\s*\n\s*/g, ' | ');
    const line = full.length > FINDING_CHARS ? `${full.slice(0, FINDING_CHARS)}…` : full;
    if (chars + line.length + 1 > RUN_CHECKS_MAX_CHARS) break;
    out.push(line);
    chars += line.length + 1;
  }
  if (out.length < findings.length) out.push(`[run_checks: showed ${out.length} of ${findings.length} findings; fix these and run the checks again to see the rest]`);
  return out;
}

/** The distinct files named by the findings, in order. */
function filesOf(findings: readonly Finding[]): string[] {
  return [...new Set(findings.flatMap((f) => (f.file ? [f.file] : [])))];
}

export const runChecksTool = defineTool({
  name: 'run_checks',
  description:
    "Run your task's checks (the compilers, linters and verifiers that will verify your task) on your staged files now; returns their findings as \"file:line: message\". " +
    'Use it before finish to find and fix problems; it may be called only a few times per attempt.',
  schema: z.object({}),
  async execute(_args, ctx) {
    const checks = ctx.checks;
    if (!checks || checks.limit <= 0) return toolError(ctx, 'run_checks', 'run_checks is not available in this run (no checks are configured for agents); call finish when your files are done');
    if (checks.used >= checks.limit) {
      ctx.emit({ type: 'tool', tool: 'run_checks', ok: false, error: `limit reached (${checks.limit} per attempt)`, summary: `run_checks: limit reached (${checks.limit} per attempt)` });
      return { content: `error: run_checks limit reached: it may run ${plural(checks.limit, 'time')} per attempt and all were used. Fix what the last run found if anything, then call finish; your task is verified after it.`, isError: true };
    }
    checks.used++;
    const r = await checks.run(ctx.signal);
    const call = `run_checks (${checks.used} of ${checks.limit} this attempt)`;
    const files = filesOf(r.findings);
    const where = files.length ? ` in ${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''}` : '';
    const ran = r.checks.length ? `checks run: ${r.checks.join(', ')}` : 'no check applies to your files as they are now';
    let head: string;
    let summary: string;
    if (r.outcome === 'passed') {
      head = `${call}: no problems found (${ran}).`;
      summary = 'run_checks: no problems';
    } else if (r.outcome === 'failed') {
      head = `${call}: ${plural(r.findings.length, 'problem')} found (${ran}). Fix them, then run the checks again or finish:`;
      summary = `run_checks: ${plural(r.findings.length, 'problem')}${where}`;
    } else {
      head = `${call}: some checks could not run, so your task may end up unverified (${ran}):`;
      summary = `run_checks: could not run every check${where}`;
    }
    ctx.emit({ type: 'tool', tool: 'run_checks', ok: true, summary });
    return { content: [head, ...findingLines(r.findings)].join('\n'), isError: false };
  },
});
