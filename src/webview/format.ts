/** Formatting of figures and text for display (pure, no DOM). */


/** `12.3k`, `1.2M`. */
export function formatTokens(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** `$0.0042`, `$1.23`, "price unknown" when calls of a model without a price were counted, "included in your plan". */
export { formatUsageCost as formatCost } from '../protocol/cost';

/** `42s`, `3m 05s`, `1h 02m`. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** A figure from a decision option (numbers rounded for reading, lists item by item, other values as JSON text). */
export function formatFigure(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(3);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (value === undefined || value === null) return '';
  // Intervals and paths: `[0.571, 0.959]`, `[board, ai, main]`, not a float's every digit.
  if (Array.isArray(value) && value.every((v) => typeof v === 'number' || typeof v === 'string')) {
    return `[${value.map((v) => formatFigure(v)).join(', ')}]`;
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

// CSI and OSC sequences: logs of tools and models may carry colour codes.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** Removes ANSI escape sequences (the text is then shown as text, never parsed as HTML). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * A run's goal as a one-line headline (its first non-empty line) and the rest: a task typed over several
 * lines would otherwise run its lines together in a single-line title.
 */
export function splitGoal(goal: string): { headline: string; rest: string } {
  const lines = goal.trim().split(/\r?\n/);
  const at = lines.findIndex((l) => l.trim() !== '');
  if (at < 0) return { headline: '', rest: '' };
  return { headline: lines[at].trim(), rest: lines.slice(at + 1).join('\n').trim() };
}
