/**
 * Versions of the stored policy file and the pure functions that migrate one version to the next.
 * The envelope is `{schema: 'agensflow-policy', version, data}`; `data` is validated after migration.
 */
export const POLICY_SCHEMA = 'agensflow-policy';
export const POLICY_VERSION = 2;

/** A migration takes version v's `data` (untrusted JSON) to version v + 1's. Pure: no I/O, no clock. */
export type Migration = (data: unknown) => unknown;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * v1 (the prototype format) kept per cell and option raw counters
 * `{succ, fail, costSum, latSum, n}` and flat cells `{option: counters}`. v2 keeps additive outcome sums per
 * option inside `{w, arms}` cells and adds per-point bookkeeping and open decisions.
 */
function v1ToV2(data: unknown): unknown {
  if (!isObject(data)) return data;
  const cells: Json = {};
  for (const [key, cell] of Object.entries(isObject(data.cells) ? data.cells : {})) {
    if (!isObject(cell)) continue;
    const arms: Json = {};
    for (const [option, c] of Object.entries(cell)) {
      if (!isObject(c)) continue;
      const num = (k: string): number => (typeof c[k] === 'number' && Number.isFinite(c[k]) && (c[k] as number) >= 0 ? (c[k] as number) : 0);
      const n = num('n') || num('succ') + num('fail');
      arms[option] = { s: num('succ'), f: num('fail'), cs: num('costSum'), cn: n, ls: num('latSum'), ln: n, streak: 0, t: num('t') };
    }
    cells[key] = { w: 1, arms };
  }
  const now = typeof data.updatedAt === 'number' ? data.updatedAt : 0;
  return {
    priorId: typeof data.priorId === 'string' ? data.priorId : 'unknown',
    createdAt: typeof data.createdAt === 'number' ? data.createdAt : now,
    updatedAt: now,
    decisions: typeof data.decisions === 'number' ? data.decisions : 0,
    cells,
    points: {},
    open: {},
  };
}

/** `MIGRATIONS[v]` migrates version v to v + 1. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = { 1: v1ToV2 };

/** The outcome of reading an envelope: migrated data, or why it cannot be used. */
export type MigrationResult =
  | { ok: true; data: unknown; from: number }
  | { ok: false; reason: 'newer'; version: number }
  | { ok: false; reason: 'invalid'; message: string };

/**
 * Checks the envelope and runs the migration chain, one version at a time, up to `current` (default
 * {@link POLICY_VERSION}; tests pass their own chain). Pure.
 */
export function migrate(envelope: unknown, migrations: Readonly<Record<number, Migration>> = MIGRATIONS, current: number = POLICY_VERSION): MigrationResult {
  if (!isObject(envelope) || envelope.schema !== POLICY_SCHEMA) return { ok: false, reason: 'invalid', message: `not an ${POLICY_SCHEMA} file` };
  const version = envelope.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return { ok: false, reason: 'invalid', message: 'missing or invalid version' };
  if (version > current) return { ok: false, reason: 'newer', version };
  let data: unknown = envelope.data;
  for (let v = version; v < current; v++) {
    const step = migrations[v];
    if (!step) return { ok: false, reason: 'invalid', message: `no migration from version ${v}` };
    data = step(data);
  }
  return { ok: true, data, from: version };
}
