/**
 * Benchmark of the learned coordination policy in a simulated environment with known best options per context
 * (learned-policy.md §5). It drives the real `CoordinationPolicy` (decide -> record) and reports, in one run:
 *   A. regret vs the per-context oracle as a share of uniform-random's, at 200 and 3,000 decisions, warm and cold;
 *      decisions until the learner beats the best single static option; exploration saved by the warm start;
 *      damage from a confidently wrong prior;
 *   B. skip certificates: escaped defects per 1,000 tasks and checks saved;
 *   C. regret after a model change, with and without the optimistic restart.
 * Run: `node --import tsx bench/policy.bench.ts [--quick] [--workspaces N] [--part ABC] [--json]`.
 * Default: 100 workspaces × 3,000 decisions, 24 contexts, 4 models. `--quick`: 20 workspaces.
 */
import { CoordinationPolicy, seededRng, type PolicyDocument, type PolicyDocumentInput, type PolicySettings, type Rng } from '../src/core/policy';
import { DEFAULT_POLICY, PolicyDocumentSchema } from '../src/core/policy';

// ---------- the simulated world ----------

const KINDS = ['docs', 'config', 'test', 'create', 'edit', 'refactor'] as const;
const SIZES = ['S', 'L'] as const;
const LANGS = ['ts', 'other'] as const;
// Calibrated to the reference's simulator (learned-policy.md §5.2): the oracle earns about 0.755 per decision
// and its edge over the best static option is about 0.04 per decision (reference: 0.758 and 0.045).
const KIND_DIFFICULTY: Record<(typeof KINDS)[number], number> = { docs: -1.3, config: -0.8, test: -0.2, create: 0.3, edit: 0.7, refactor: 1.2 };
const SIZE_L_DIFFICULTY = 0.9;
const LANG_OTHER_DIFFICULTY = 0.5;
const CONTEXT_NOISE = 0.5;

interface ModelSpec {
  id: string;
  skill: number;
  costUsd: number;
  latencyMs: number;
}
const MODELS: readonly ModelSpec[] = [
  { id: 'mini', skill: 0, costUsd: 0.002, latencyMs: 6000 },
  { id: 'small', skill: 1.0, costUsd: 0.01, latencyMs: 10000 },
  { id: 'medium', skill: 2.0, costUsd: 0.04, latencyMs: 20000 },
  { id: 'large', skill: 3.4, costUsd: 0.15, latencyMs: 35000 },
];
const W = { success: 1, cost: 0.25, latency: 0.05 };
const COST_REF = 0.15;
const LAT_REF = 60_000;
const EPS = 0.35;
const HORIZON = 3000;
const CHECKPOINTS = [50, 100, 200, 500, 1000, 2000, 3000];

interface Context {
  features: Record<string, string>;
  difficulty: number;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function gauss(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** One simulated workspace: contexts with their frequencies and each (context, model)'s true success rate. */
class Workspace {
  readonly contexts: Context[] = [];
  readonly cumulative: number[] = [];
  /** p[context][model] and the expected score of each. */
  readonly p: number[][] = [];
  readonly expected: number[][] = [];
  readonly oracle: number[] = [];

  constructor(readonly rng: Rng) {
    for (const kind of KINDS)
      for (const size of SIZES)
        for (const lang of LANGS) {
          const difficulty = KIND_DIFFICULTY[kind] + (size === 'L' ? SIZE_L_DIFFICULTY : 0) + (lang === 'other' ? LANG_OTHER_DIFFICULTY : 0) + CONTEXT_NOISE * gauss(rng);
          this.contexts.push({ features: { kind, size, lang }, difficulty });
        }
    // Zipf(0.8) frequencies over a random order of the contexts.
    const order = this.contexts.map((_, i) => i).sort(() => rng.next() - 0.5);
    const weights = new Array<number>(this.contexts.length).fill(0);
    order.forEach((ctx, rankIdx) => (weights[ctx] = 1 / Math.pow(rankIdx + 1, 0.8)));
    const total = weights.reduce((a, b) => a + b, 0);
    let acc = 0;
    for (const w of weights) this.cumulative.push((acc += w / total));
    for (const ctx of this.contexts) {
      const ps = MODELS.map((m) => sigmoid(1.2 + m.skill - 1.6 * ctx.difficulty + EPS * gauss(rng)));
      this.p.push(ps);
      const ex = ps.map((p, i) => score(p, MODELS[i] as ModelSpec));
      this.expected.push(ex);
      this.oracle.push(Math.max(...ex));
    }
  }

  drawContext(): number {
    const u = this.rng.next();
    const i = this.cumulative.findIndex((c) => u < c);
    return i < 0 ? this.contexts.length - 1 : i;
  }

  /** Improves one model in every context (a new release), recomputing the expected scores. */
  improve(modelIdx: number, logits: number): void {
    this.contexts.forEach((ctx, c) => {
      const row = this.p[c] as number[];
      const old = row[modelIdx] as number;
      row[modelIdx] = sigmoid(Math.log(old / (1 - old)) + logits);
      const ex = row.map((p, i) => score(p, MODELS[i] as ModelSpec));
      this.expected[c] = ex;
      this.oracle[c] = Math.max(...ex);
      void ctx;
    });
  }
}

function score(p: number, m: ModelSpec): number {
  return W.success * p - (W.cost * m.costUsd) / COST_REF - (W.latency * m.latencyMs) / LAT_REF;
}

// ---------- prior documents ----------

const LEVELS = [['kind', 'lang', 'size'], ['kind', 'size'], ['kind'], []];

function flatDocument(): PolicyDocument {
  const arms: PolicyDocumentInput['points'][string]['arms'] = {};
  for (const m of MODELS) arms[m.id] = { p: 0.5, strength: 0, costUsd: m.costUsd, latencyMs: m.latencyMs };
  return PolicyDocumentSchema.parse({ id: 'flat', points: { model: { levels: LEVELS, arms, defaultOption: 'medium' } } });
}

/**
 * A "generic graph" authored without this workspace's data: kind × size rules from a biased, noisy guess of
 * difficulty with no language term. `wrong` reverses the models' success estimates (a confidently wrong prior).
 */
function guessedDocument(rng: Rng, wrong: boolean): PolicyDocument {
  const armsFor = (difficulty: number): Record<string, { p: number; strength: number; costUsd: number; latencyMs: number }> => {
    const out: Record<string, { p: number; strength: number; costUsd: number; latencyMs: number }> = {};
    MODELS.forEach((m, i) => {
      const src = wrong ? (MODELS[MODELS.length - 1 - i] as ModelSpec) : m;
      out[m.id] = { p: sigmoid(1.2 + src.skill - 1.6 * difficulty), strength: 8, costUsd: m.costUsd, latencyMs: m.latencyMs };
    });
    return out;
  };
  const rules = [];
  for (const kind of KINDS)
    for (const size of SIZES) {
      const guess = KIND_DIFFICULTY[kind] + (size === 'L' ? SIZE_L_DIFFICULTY : 0) + LANG_OTHER_DIFFICULTY / 2 + 0.25 * gauss(rng);
      rules.push({ when: { kind, size }, arms: armsFor(guess) });
    }
  return PolicyDocumentSchema.parse({ id: wrong ? 'wrong' : 'generic', points: { model: { levels: LEVELS, arms: armsFor(0.6), rules, defaultOption: 'medium' } } });
}

// ---------- experiment A: model routing ----------

type Learner = 'random' | 'static' | 'cold' | 'warm' | 'wrong';

/** Extra learner settings from `--settings '{"explorationShare":0.1}'` (to evaluate other tunings). */
let EXTRA: PolicySettings = {};

const GRID = Array.from({ length: HORIZON / 50 }, (_, i) => (i + 1) * 50);

function runRouting(seed: number, learner: Learner): number[] {
  const world = new Workspace(seededRng(seed));
  const outcomeRng = seededRng(seed * 7 + 1);
  const pickRng = seededRng(seed * 13 + 5);
  const doc = learner === 'cold' ? flatDocument() : guessedDocument(seededRng(seed * 31 + 3), learner === 'wrong');
  const settings: PolicySettings = { ...EXTRA, rng: seededRng(seed * 17 + 11), intervals: false, weights: W, costRefUsd: COST_REF, latencyRefMs: LAT_REF, now: () => 0 };
  const policy = learner === 'random' || learner === 'static' ? undefined : new CoordinationPolicy(doc, undefined, settings);
  // The best static option in hindsight: the model with the best frequency-weighted expected score.
  let staticIdx = 0;
  if (learner === 'static') {
    const freq = world.cumulative.map((c, i) => c - (i ? (world.cumulative[i - 1] as number) : 0));
    const totals = MODELS.map((_, m) => world.expected.reduce((acc, row, c) => acc + (freq[c] as number) * (row[m] as number), 0));
    staticIdx = totals.indexOf(Math.max(...totals));
  }
  const curve: number[] = [];
  let regret = 0;
  const ids = MODELS.map((m) => m.id);
  for (let t = 1; t <= HORIZON; t++) {
    const c = world.drawContext();
    const ctx = world.contexts[c] as Context;
    let m: number;
    if (policy) {
      const d = policy.decide('model', ctx.features, ids);
      m = ids.indexOf(d.choice);
      const success = outcomeRng.next() < ((world.p[c] as number[])[m] as number);
      const spec = MODELS[m] as ModelSpec;
      const noise = Math.exp(0.3 * gauss(outcomeRng) - 0.045);
      policy.record(d.id, { success, source: 'verification', costUsd: spec.costUsd * noise, latencyMs: spec.latencyMs * noise });
    } else if (learner === 'random') {
      m = Math.floor(pickRng.next() * MODELS.length);
    } else {
      m = staticIdx;
    }
    regret += (world.oracle[c] as number) - ((world.expected[c] as number[])[m] as number);
    if (t % 50 === 0) curve.push(regret);
  }
  return curve;
}

function meanCurves(curves: number[][]): number[] {
  return (curves[0] as number[]).map((_, i) => curves.reduce((a, c) => a + (c[i] as number), 0) / curves.length);
}

const at = (curve: number[], t: number): number => curve[GRID.indexOf(t)] as number;

// ---------- experiment B: skip certificates ----------

interface SkipResult {
  checks: number;
  tasks: number;
  escapes: number;
  detected: number;
}

/** Share of contexts whose failure rate is low (0.2–3 %); the rest split 60:40 between 3–10 % and 10–35 %. */
let SKIP_LOW_SHARE = 0.6;

function runSkips(seed: number): SkipResult {
  const rng = seededRng(seed * 101 + 7);
  const world = new Workspace(seededRng(seed));
  // Failure rates per context: mostly 0.2–3 %, some 3–10 %, some 10–35 % (learned-policy.md §4.6, sim B).
  const rates = world.contexts.map(() => {
    const u = rng.next();
    return u < SKIP_LOW_SHARE ? 0.002 + 0.028 * rng.next() : u < SKIP_LOW_SHARE + (1 - SKIP_LOW_SHARE) * 0.6 ? 0.03 + 0.07 * rng.next() : 0.1 + 0.25 * rng.next();
  });
  // The shipped default's check point (its signature levels: kind, lang, size, check -> kind, check -> all).
  const policy = new CoordinationPolicy(DEFAULT_POLICY, undefined, { ...EXTRA, rng: seededRng(seed * 19 + 2), intervals: false, defectCostUsd: 1.5, now: () => 0 });
  const res: SkipResult = { checks: 0, tasks: HORIZON, escapes: 0, detected: 0 };
  for (let t = 0; t < HORIZON; t++) {
    const c = world.drawContext();
    const features = { ...(world.contexts[c] as Context).features, check: 'tests' };
    const defective = rng.next() < (rates[c] as number);
    const d = policy.decideCheck(features, { checkCostUsd: 0.08 });
    if (d.choice === 'run') {
      res.checks += 1;
      policy.record(d.id, { success: !defective, source: 'verification' });
    } else if (defective) {
      res.escapes += 1;
      // The end-of-run check finds 60 % of escaped defects; the rest stay silent (the policy never learns).
      if (rng.next() < 0.6) {
        res.detected += 1;
        policy.recordDefect(d.id, 'run-check');
      }
    }
  }
  return res;
}

// ---------- experiment C: a model release ----------

function runChange(seed: number, restart: boolean): number {
  const world = new Workspace(seededRng(seed));
  const outcomeRng = seededRng(seed * 7 + 1);
  const doc = guessedDocument(seededRng(seed * 31 + 3), false);
  const policy = new CoordinationPolicy(doc, undefined, { ...EXTRA, rng: seededRng(seed * 17 + 11), intervals: false, weights: W, costRefUsd: COST_REF, latencyRefMs: LAT_REF, now: () => 0 });
  let regret = 0;
  for (let t = 1; t <= HORIZON; t++) {
    if (t === HORIZON / 2 + 1) world.improve(1, 2);
    const version = restart && t > HORIZON / 2 ? 'small@2' : 'small@1';
    const options = MODELS.map((m) => (m.id === 'small' ? { id: m.id, fingerprint: version } : { id: m.id }));
    const c = world.drawContext();
    const d = policy.decide('model', (world.contexts[c] as Context).features, options);
    const m = MODELS.findIndex((x) => x.id === d.choice);
    const success = outcomeRng.next() < ((world.p[c] as number[])[m] as number);
    const spec = MODELS[m] as ModelSpec;
    policy.record(d.id, { success, source: 'verification', costUsd: spec.costUsd, latencyMs: spec.latencyMs });
    if (t > HORIZON / 2) regret += (world.oracle[c] as number) - ((world.expected[c] as number[])[m] as number);
  }
  return regret;
}

// ---------- report ----------

function measure(args: readonly string[]): { text: string; json: string } {
  const quick = args.includes('--quick');
  const nIdx = args.indexOf('--workspaces');
  const workspaces = nIdx >= 0 ? Number(args[nIdx + 1]) : quick ? 20 : 100;
  const sIdx = args.indexOf('--settings');
  const lIdx = args.indexOf('--low-failure-share');
  if (lIdx >= 0) SKIP_LOW_SHARE = Number(args[lIdx + 1]);
  if (sIdx >= 0) EXTRA = JSON.parse(args[sIdx + 1] ?? '{}') as PolicySettings;
  const started = Date.now();
  const seeds = Array.from({ length: workspaces }, (_, i) => i + 1);

  // `--part B` (or A, C, or e.g. AB) runs only some experiments, for quick iteration; the others read as 0.
  const pIdx = args.indexOf('--part');
  const parts = pIdx >= 0 ? (args[pIdx + 1] ?? 'ABC').toUpperCase() : 'ABC';
  const curves = {} as Record<Learner, number[]>;
  for (const learner of ['random', 'static', 'cold', 'warm', 'wrong'] as const) curves[learner] = parts.includes('A') ? meanCurves(seeds.map((s) => runRouting(s, learner))) : GRID.map(() => 0);
  const rel = (l: Learner, t: number): number => at(curves[l], t) / at(curves.random, t);
  const beats = (l: Learner): number | null => {
    const c = curves[l];
    for (let i = 0; i < GRID.length; i++) if (c.slice(i).every((v, j) => v < (curves.static[i + j] as number))) return GRID[i] as number;
    return null;
  };
  const skips = parts.includes('B') ? seeds.map(runSkips) : [{ checks: 0, tasks: 1, escapes: 0, detected: 0 }];
  const sum = (k: keyof SkipResult): number => skips.reduce((a, r) => a + r[k], 0);
  const escapesPer1000 = (1000 * sum('escapes')) / sum('tasks');
  const checksSaved = 1 - sum('checks') / sum('tasks');
  const changeRestart = parts.includes('C') ? seeds.map((s) => runChange(s, true)).reduce((a, b) => a + b, 0) / seeds.length : 0;
  const changeStay = parts.includes('C') ? seeds.map((s) => runChange(s, false)).reduce((a, b) => a + b, 0) / seeds.length : 0;

  const figures = {
    workspaces,
    decisions: HORIZON,
    regretShareOfRandom: {
      warm: { t200: rel('warm', 200), t3000: rel('warm', 3000) },
      cold: { t200: rel('cold', 200), t3000: rel('cold', 3000) },
    },
    decisionsToBeatBestStatic: { warm: beats('warm'), cold: beats('cold') },
    explorationSavedByWarmStart: { t200: 1 - at(curves.warm, 200) / at(curves.cold, 200), t3000: 1 - at(curves.warm, 3000) / at(curves.cold, 3000) },
    wrongPriorDamage: { t200: at(curves.wrong, 200) / at(curves.cold, 200), t3000: at(curves.wrong, 3000) / at(curves.cold, 3000) },
    skips: { escapesPer1000Tasks: escapesPer1000, checksSaved, detectedShare: sum('detected') / Math.max(1, sum('escapes')) },
    modelChange: { regretAfterWithRestart: changeRestart, regretAfterWithout: changeStay, ratio: changeRestart / changeStay },
    seconds: (Date.now() - started) / 1000,
  };
  const targets: [string, boolean][] = [
    ['warm <= 35% of random at 200', figures.regretShareOfRandom.warm.t200 <= 0.35],
    ['warm <= 20% of random at 3000', figures.regretShareOfRandom.warm.t3000 <= 0.2],
    ['cold <= 80% of random at 200', figures.regretShareOfRandom.cold.t200 <= 0.8],
    ['cold <= 35% of random at 3000', figures.regretShareOfRandom.cold.t3000 <= 0.35],
    ['warm start saves >= 50% of exploration at 200', figures.explorationSavedByWarmStart.t200 >= 0.5],
    ['wrong prior <= 1.5x cold at 200', figures.wrongPriorDamage.t200 <= 1.5],
    ['wrong prior <= 1.25x cold at 3000', figures.wrongPriorDamage.t3000 <= 1.25],
    ['skips <= 3 escapes per 1000 tasks', escapesPer1000 <= 3],
    ['skips save >= 15% of checks', checksSaved >= 0.15],
  ];
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `policy benchmark: ${workspaces} simulated workspaces × ${HORIZON} decisions, 24 contexts, 4 models (${figures.seconds.toFixed(1)} s)`,
    '',
    'A. model routing: mean cumulative regret vs the per-context oracle',
    `   ${'t'.padEnd(8)}${(['random', 'static', 'cold', 'warm', 'wrong'] as const).map((l) => l.padStart(9)).join('')}`,
    ...CHECKPOINTS.map((t) => `   ${String(t).padEnd(8)}${(['random', 'static', 'cold', 'warm', 'wrong'] as const).map((l) => at(curves[l], t).toFixed(1).padStart(9)).join('')}`),
    `   regret as a share of random's: warm ${pct(rel('warm', 200))} at 200, ${pct(rel('warm', 3000))} at 3000; cold ${pct(rel('cold', 200))} at 200, ${pct(rel('cold', 3000))} at 3000`,
    `   decisions until the learner beats the best static option: warm ${beats('warm') ?? 'never'}, cold ${beats('cold') ?? 'never'}`,
    `   exploration saved by the warm start: ${pct(figures.explorationSavedByWarmStart.t200)} at 200, ${pct(figures.explorationSavedByWarmStart.t3000)} at 3000`,
    `   confidently wrong prior: ${figures.wrongPriorDamage.t200.toFixed(2)}x cold's regret at 200, ${figures.wrongPriorDamage.t3000.toFixed(2)}x at 3000`,
    '',
    `B. skip certificates: ${escapesPer1000.toFixed(2)} escaped defects per 1000 tasks, ${pct(checksSaved)} of checks saved (${pct(figures.skips.detectedShare)} of escapes detected later)`,
    '',
    `C. model release at t=${HORIZON / 2 + 1} ('small' +2 logits): regret after it ${changeRestart.toFixed(1)} with the restart, ${changeStay.toFixed(1)} without (${pct(figures.modelChange.ratio)})`,
    '',
    'targets:',
    ...targets.map(([name, ok]) => `   ${ok ? 'met    ' : 'MISSED '} ${name}`),
  ];
  return { text: `${lines.join('\n')}\n`, json: `${JSON.stringify({ figures, targets: Object.fromEntries(targets) })}\n` };
}

/** The section for `npm run bench` (bench/run.ts): the full run, 100 workspaces. */
export default async function policyBench(): Promise<{ title: string; markdown: string }> {
  const { text } = measure([]);
  return { title: 'Learned coordination policy (simulated workspaces)', markdown: `Command: \`node --import tsx bench/policy.bench.ts\`\n\n\`\`\`text\n${text}\`\`\`\n` };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const out = measure(args);
  process.stdout.write(args.includes('--json') ? out.json : out.text);
}
