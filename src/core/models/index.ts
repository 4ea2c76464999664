/** The model layer's public API: the port, the factory, structured answers, retries, usage and errors. */
export type * from './types';
export { createModel, listModels, envKeyOf, resolveApiKey, apiKeyProblem, cleanApiKey, isProviderId, PROVIDERS, PLACEHOLDER_KEY, type CreateModelOptions } from './create';
export { ProviderRegistry, needsKey, keyEnvOf, type ProviderDefinition, type ProviderModelOptions, type ProviderModelInfo, type ListModelsOptions, type PricingKind, type KeyRule, type BaseUrlRule } from './provider';
export { CORE_PROVIDERS, coreProviderRegistry } from './providers';
export { listServerModels, ollamaTagsUrl, LIST_MODELS_TIMEOUT_MS } from './listing';
export { KNOWN_OUTPUT_LIMITS, knownOutputLimit, maxOutputTokensFor } from './outputLimits';
export { callTool, type CallToolOptions, type CallToolResult } from './structured';
export { withRetry, realSleep, retryDelay, rateGateFor, RateGate, DEFAULT_RETRY, type RetryOptions, type RetryInfo, type Sleep } from './retry';
export { parseRetryAfter } from './retry-after';
export { DEFAULT_TIMEOUTS, DEFAULT_ANSWER_LIMITS, type Timeouts, type AnswerLimits } from './watchdog';
export { UsageMeter, meteredModel, type Budget, type UsageLabels, type UsageRecord, type UsageTotals, type UsageMeterOptions } from './usage';
export { BUILTIN_PRICES, priceOf, costOf, type Price, type PriceTable } from './prices';
export { redact, redactUrl, isRedactedUrl, REDACTED } from './redact';
export { toolParameters } from './json-schema';
export {
  ProviderError,
  ModelAbortedError,
  ModelConfigError,
  StructuredAnswerError,
  BudgetExceededError,
  isProviderError,
  isModelAbortedError,
  isModelConfigError,
  isStructuredAnswerError,
  isBudgetExceededError,
  modelErrorExitCode,
  type ProviderErrorKind,
  type ModelSetting,
} from './errors';
