/**
 * The one composition of a run's engine options, shared by the CLI (`agensflow run`) and the VS Code
 * extension, so both front ends meter, price, budget and verify a run the same way. Front ends build the
 * models (keys come from a flag, the environment or SecretStorage) and pass them in; everything else is
 * derived from the run configuration here.
 */
import { BUILTIN_PRICES, costOf, meteredModel, priceOf, UsageMeter, type Budget, type Model, type PriceTable } from '../models';
import type { EngineOptions, RunEvent } from '../run';
import { realVerifier } from '../run/verifyHook';

/** The parts of a run's configuration (the CLI's `--config` file, the extension's settings) the engine uses. */
export interface EngineConfig {
  /** User verifiers (validated by src/core/verify). */
  verifiers?: unknown[];
  /** The whole-run test command. */
  testCommand?: unknown;
  verifyTimeoutMs?: number;
  budget?: Budget;
  /** Prices per model name, added to the built-in table. */
  prices?: PriceTable;
}

/** What {@link buildEngineOptions} needs besides the configuration. */
export interface EngineWiring {
  /** The agents' model (already built with its key). */
  model: Model;
  /** Journal (and policy) folder. */
  stateDir: string;
  signal: AbortSignal;
  onEvent: (event: RunEvent) => void;
  /** The environment verifiers inherit (secrets are filtered by src/core/verify). */
  env?: NodeJS.ProcessEnv;
}

/** The engine options of a run: metered agent models, the real verifier, the price table and budget. */
export function buildEngineOptions(config: EngineConfig, wiring: EngineWiring): EngineOptions {
  const prices = { ...BUILTIN_PRICES, ...config.prices };
  const meter = new UsageMeter({ prices, ...(config.budget ? { budget: config.budget } : {}) });
  const verifyConfig = {
    ...(config.verifiers ? { verifiers: config.verifiers } : {}),
    ...(config.testCommand !== undefined ? { testCommand: config.testCommand } : {}),
    ...(config.verifyTimeoutMs ? { timeoutMs: config.verifyTimeoutMs } : {}),
  };
  return {
    model: (task) => meteredModel(wiring.model, meter, { role: 'agent', taskId: task.id }),
    stateDir: wiring.stateDir,
    signal: wiring.signal,
    onEvent: wiring.onEvent,
    verify: realVerifier(verifyConfig as Parameters<typeof realVerifier>[0], wiring.env ?? { ...process.env }),
    price: (name, usage) => {
      const p = priceOf(name, prices);
      return p ? costOf(p, usage.inputTokens, usage.outputTokens) : undefined;
    },
  };
}
