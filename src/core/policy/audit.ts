import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DecisionMode } from '../run/events';
import type { CertificateVerdict } from './certificate';
import type { Weights } from './weights';

/**
 * Audit records: what the policy knew and why it chose, for every decision, and the outcome when it arrives.
 * The UI shows them ("predicted 0.80 -> passed"); the JSONL log keeps them per workspace.
 */

/** One option as the policy saw it at decision time. */
export interface AuditOption {
  id: string;
  /** Expected P(passed verification) and a 90 % credible interval (omitted when intervals are turned off). */
  pSuccess: number;
  interval?: [number, number];
  /** Real outcomes in this context behind the estimate, and the prior's pseudo-observations. */
  realRuns: number;
  priorRuns: number;
  /** Where the numbers come from: this context's cell, a coarser cell it inherits, or the prior document. */
  source: string;
  costUsd: number;
  latencyMs: number;
  expectedScore: number;
  /** The Thompson draw's score (absent where nothing was sampled: pinned, forced, check decisions). */
  sampledScore?: number;
}

/** The certificate figures of a check decision: the verdict without its reason (the decision's reason says it). */
export type AuditCertificate = Omit<CertificateVerdict, 'reason'>;

/** The outcome of a decision, appended when it arrives (possibly more than once: a later revert). */
export interface AuditOutcome {
  decisionId: string;
  ts: number;
  success: boolean;
  source: string;
  costUsd?: number;
  latencyMs?: number;
  /** What was predicted for the choice, and the estimate after this outcome. */
  predicted: number;
  after: { pSuccess: number; realRuns: number };
  /** True when the outcome was not counted (a duplicate, or a success reported for a skipped check). */
  ignored?: boolean;
  note?: string;
}

/** Everything about one decision. */
export interface AuditRecord {
  id: string;
  ts: number;
  point: string;
  taskId?: string;
  features: Record<string, string>;
  /** The finest context cell, e.g. `model|kind=docs,lang=ts,size=S,fails=0`. */
  cell: string;
  priorId: string;
  weights: Weights;
  options: AuditOption[];
  choice: string;
  /** The option with the best expected score (what pure exploitation would pick). */
  greedy: string;
  defaultOption?: string;
  mode: DecisionMode;
  reason: string;
  /** Exploratory decisions still allowed in the point's window. */
  explorationLeft?: number;
  certificate?: AuditCertificate;
  outcomes: AuditOutcome[];
}

/** One line of the audit log. */
export type AuditEntry = { kind: 'decision'; record: Omit<AuditRecord, 'outcomes'> } | { kind: 'outcome'; outcome: AuditOutcome };

/**
 * An append-only JSONL audit log with one rotation: past `maxBytes` the file becomes `<path>.1` (replacing
 * an older one), so the log stays bounded. Appends are serialised; failures are returned, not thrown.
 */
export class AuditLog {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly maxBytes = 5 * 1024 * 1024,
  ) {}

  /** Appends entries; resolves to an error message, or undefined on success. */
  append(entries: readonly AuditEntry[]): Promise<string | undefined> {
    const text = entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : '');
    const run = async (): Promise<string | undefined> => {
      if (!text) return undefined;
      try {
        await mkdir(dirname(this.path), { recursive: true });
        const size = await stat(this.path).then((s) => s.size, () => 0);
        if (size > 0 && size + text.length > this.maxBytes) await rename(this.path, `${this.path}.1`);
        await appendFile(this.path, text, 'utf8');
        return undefined;
      } catch (e) {
        return `could not write the policy audit log ${this.path}: ${(e as Error).message}`;
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next;
    return next;
  }
}
