/**
 * The usage ledger of a run: tokens in/out per call, totals per task, role and model, cost from a price
 * table, and a budget after which no new call starts.
 */
import { BudgetExceededError } from './errors';
import { BUILTIN_PRICES, costOf, priceOf, type PriceTable } from './prices';
import type { PricingKind } from './provider';
import type { Model, ModelRequest, ModelResult, Usage } from './types';

/** The price of a call paid by the user's plan. */
const INCLUDED = Object.freeze({ input: 0, output: 0 });

/** What one call was for. */
export interface UsageLabels {
  role: string;
  taskId?: string;
}

export interface UsageRecord extends UsageLabels {
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** Dollars; absent when the model has no price. */
  cost?: number;
  /** The call is paid by the user's plan (its cost is 0): views say "included in your plan", not "$0". */
  included?: true;
}

export interface UsageTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** Dollars over the priced calls. */
  cost: number;
  /** Calls whose model had no price (their tokens count, their cost is unknown). */
  unpricedCalls: number;
  /** Calls paid by the user's plan (cost 0, nothing owed). */
  includedCalls: number;
}

export interface Budget {
  /** Input + output tokens. */
  tokens?: number;
  /** Dollars. */
  cost?: number;
}

export interface UsageMeterOptions {
  /** Merged over the built-in table (entries here win). */
  prices?: PriceTable;
  budget?: Budget;
  /** Called after each recorded call, e.g. to emit a `usage` RunEvent. */
  onRecord?: (record: UsageRecord) => void;
}

function emptyTotals(): UsageTotals {
  return { calls: 0, inputTokens: 0, outputTokens: 0, cost: 0, unpricedCalls: 0, includedCalls: 0 };
}

function add(t: UsageTotals, r: UsageRecord): void {
  t.calls++;
  t.inputTokens += r.inputTokens;
  t.outputTokens += r.outputTokens;
  if (r.cost === undefined) t.unpricedCalls++;
  else t.cost += r.cost;
  if (r.included) t.includedCalls++;
}

/** One run's ledger. Safe to share between concurrent calls (JavaScript runs one callback at a time). */
export class UsageMeter {
  private readonly prices: PriceTable;
  private readonly budget: Budget;
  private readonly onRecord: ((r: UsageRecord) => void) | undefined;
  private readonly records: UsageRecord[] = [];
  private readonly total = emptyTotals();

  constructor(options: UsageMeterOptions = {}) {
    this.prices = { ...BUILTIN_PRICES, ...options.prices };
    this.budget = { ...options.budget };
    this.onRecord = options.onRecord;
  }

  /**
   * Records one call's usage and returns the record (with its cost when the model is priced). A model whose
   * calls are `included` in the user's plan costs nothing, whatever a model of the same name costs elsewhere.
   */
  record(labels: UsageLabels, model: string, usage: Usage, pricing: PricingKind = 'per-token'): UsageRecord {
    const price = pricing === 'included' ? INCLUDED : priceOf(model, this.prices);
    const rec: UsageRecord = {
      role: labels.role,
      ...(labels.taskId !== undefined ? { taskId: labels.taskId } : {}),
      model,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      ...(price ? { cost: costOf(price, usage.inputTokens, usage.outputTokens) } : {}),
      ...(pricing === 'included' ? { included: true as const } : {}),
    };
    this.records.push(rec);
    add(this.total, rec);
    this.onRecord?.(rec);
    return rec;
  }

  /** Throws `BudgetExceededError` when the budget is spent; called before every new call. */
  assertBudget(): void {
    const used = this.total.inputTokens + this.total.outputTokens;
    if (this.budget.tokens !== undefined && used >= this.budget.tokens) throw new BudgetExceededError('tokens', used, this.budget.tokens);
    if (this.budget.cost !== undefined && this.total.cost >= this.budget.cost) throw new BudgetExceededError('cost', this.total.cost, this.budget.cost);
  }

  /** Totals over the run. */
  totals(): UsageTotals {
    return { ...this.total };
  }

  /** Totals over the calls matching `filter` (e.g. one task, one role, one model). */
  totalsWhere(filter: (r: UsageRecord) => boolean): UsageTotals {
    const t = emptyTotals();
    for (const r of this.records) if (filter(r)) add(t, r);
    return t;
  }

  /** Totals per task id (calls without a task are left out). */
  byTask(): Map<string, UsageTotals> {
    return this.groupBy((r) => r.taskId);
  }

  byRole(): Map<string, UsageTotals> {
    return this.groupBy((r) => r.role);
  }

  byModel(): Map<string, UsageTotals> {
    return this.groupBy((r) => r.model);
  }

  /** Every call's record, oldest first. */
  all(): readonly UsageRecord[] {
    return [...this.records];
  }

  private groupBy(key: (r: UsageRecord) => string | undefined): Map<string, UsageTotals> {
    const out = new Map<string, UsageTotals>();
    for (const r of this.records) {
      const k = key(r);
      if (k === undefined) continue;
      const t = out.get(k) ?? emptyTotals();
      add(t, r);
      out.set(k, t);
    }
    return out;
  }
}

/**
 * A model whose calls are checked against the budget before they start and recorded after they end,
 * under `labels`. Usage is recorded for the answer the caller receives (a retried attempt that failed
 * reported no usage to count).
 */
export function meteredModel(model: Model, meter: UsageMeter, labels: UsageLabels): Model {
  return {
    provider: model.provider,
    name: model.name,
    ...(model.pricing ? { pricing: model.pricing } : {}),
    async call(req: ModelRequest): Promise<ModelResult> {
      meter.assertBudget();
      const result = await model.call(req);
      meter.record(labels, model.name, result.usage, model.pricing);
      return result;
    },
  };
}
