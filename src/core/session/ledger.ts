/**
 * A run's usage ledger: every model call of the run, whatever its role (planner, agents, inspector, updater),
 * goes through one meter, which checks the token and cost budget before the call and books the call once
 * after it: in the journal's totals and as a `usage` event (through the run's connection). Before the engine
 * has a journal (while planning), calls are booked with the session's link, which hands them to the engine
 * as the run's prelude.
 */
import { BUILTIN_PRICES, costOf, isBudgetExceededError, meteredModel, priceOf, UsageMeter, type Budget, type Model, type PriceTable, type Usage, type UsageLabels, type UsageRecord } from '../models';
import type { UsageCall } from '../run';

/** Where booked calls go: the session's link before the engine starts, then the engine's connection. */
export type UsageSink = (call: UsageCall) => void;

export class RunLedger {
  private readonly meter: UsageMeter;
  private readonly prices: PriceTable;
  private sink: UsageSink | undefined;
  private readonly waiting: UsageCall[] = [];

  constructor(options: { prices?: PriceTable; budget?: Budget } = {}) {
    this.prices = { ...BUILTIN_PRICES, ...options.prices };
    this.meter = new UsageMeter({ prices: this.prices, ...(options.budget ? { budget: options.budget } : {}), onRecord: (r) => this.book(r) });
  }

  /** `model` with its calls checked against the budget and booked under `labels`. */
  model(model: Model, labels: UsageLabels): Model {
    return meteredModel(model, this.meter, labels);
  }

  /** Books calls in `sink` from now on (calls made while there was none are handed over first). */
  bookTo(sink: UsageSink): void {
    this.sink = sink;
    for (const call of this.waiting.splice(0)) sink(call);
  }

  /** The cost of `usage` on model `name`, when the price table knows the model. */
  price(name: string, usage: Usage): number | undefined {
    const p = priceOf(name, this.prices);
    return p ? costOf(p, usage.inputTokens, usage.outputTokens) : undefined;
  }

  /** Why the budget is spent (the meter's own message), or `undefined` while calls may still start. */
  spent(): string | undefined {
    try {
      this.meter.assertBudget();
      return undefined;
    } catch (e) {
      if (isBudgetExceededError(e)) return e.message;
      throw e;
    }
  }

  /** Input and output tokens and priced cost of every call so far. */
  totals(): ReturnType<UsageMeter['totals']> {
    return this.meter.totals();
  }

  private book(r: UsageRecord): void {
    const call: UsageCall = { role: r.role, ...(r.taskId !== undefined ? { taskId: r.taskId } : {}), model: r.model, inputTokens: r.inputTokens, outputTokens: r.outputTokens, ...(r.cost !== undefined ? { cost: r.cost } : {}), ...(r.included ? { included: true } : {}) };
    if (this.sink) this.sink(call);
    else this.waiting.push(call);
  }
}
