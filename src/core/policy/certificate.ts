import { wilsonUpper } from './stats';
import type { ArmStats } from './state';

/**
 * Skip certificates. A check (a verifier or the inspector) may be skipped for a task only when real runs in
 * exactly this context have earned it: enough verified runs, a clean recent streak, and an upper confidence
 * bound on the failure rate below what a skip can afford (the check's cost over an escaped defect's cost).
 * Skips are never sampled: exploring a skip hides the very signal that would show the skip was wrong.
 */
export interface CertificateSettings {
  /** Real verified runs needed in the context. */
  minRuns: number;
  /** Clean outcomes in a row needed (an escaped defect resets the streak, revoking the certificate). */
  minStreak: number;
  /** A ceiling on the tolerated failure-rate bound, whatever the cost ratio says. */
  maxFailureRate: number;
  /** Share of certified tasks still checked (canaries), so the certificate keeps being tested. */
  canaryShare: number;
  /** Weight of an escaped defect as failures (it counts heavily against the certificate). */
  escapeWeight: number;
  /** Normal quantile of the one-sided upper bound (1.645: 95 %). */
  z: number;
}

export const DEFAULT_CERTIFICATE: CertificateSettings = {
  minRuns: 20,
  minStreak: 10,
  maxFailureRate: 0.1,
  canaryShare: 0.1,
  escapeWeight: 3,
  z: 1.645,
};

/** Whether a context holds a certificate, with the figures and the first unmet condition in words. */
export interface CertificateVerdict {
  granted: boolean;
  runs: number;
  failures: number;
  streak: number;
  /** One-sided Wilson upper bound on the failure rate (95 % by default). */
  failureBound: number;
  /** The bound it must stay under: min(maxFailureRate, checkCost / defectCost). */
  bar: number;
  reason: string;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/**
 * Evaluates the certificate of one context from the `run` arm of its finest cell (real counts only: prior
 * pseudo-observations and pooled coarser cells never certify).
 */
export function evaluateCertificate(
  arm: ArmStats | undefined,
  checkCost: number,
  defectCost: number,
  settings: CertificateSettings,
): CertificateVerdict {
  const runs = arm ? arm.s + arm.f : 0;
  const failures = arm ? arm.f : 0;
  const streak = arm ? arm.streak : 0;
  const ratio = defectCost > 0 ? checkCost / defectCost : 0;
  const bar = Math.max(0, Math.min(settings.maxFailureRate, ratio));
  const failureBound = wilsonUpper(failures, runs, settings.z);
  const base = { runs, failures, streak, failureBound, bar };
  if (runs < settings.minRuns) {
    return { ...base, granted: false, reason: `only ${Math.floor(runs)} of ${settings.minRuns} verified runs in this situation` };
  }
  if (streak < settings.minStreak) {
    return { ...base, granted: false, reason: `the last ${Math.floor(streak)} runs were clean; ${settings.minStreak} are needed` };
  }
  if (failureBound > bar) {
    return {
      ...base,
      granted: false,
      reason: `over ${Math.floor(runs)} runs the failure rate may be as high as ${pct(failureBound)}, above the ${pct(bar)} a skip can afford`,
    };
  }
  return {
    ...base,
    granted: true,
    reason: `${Math.floor(runs)} verified runs here, the last ${Math.floor(streak)} clean, failure rate at most ${pct(failureBound)} (a skip can afford ${pct(bar)})`,
  };
}
