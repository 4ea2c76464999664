/** Shared set-up for the provider and planner suites: a real SDK model against the loopback fake server. */
import { createModel, type CreateModelOptions } from '../../../src/core/models/create';
import { RateGate } from '../../../src/core/models/retry';
import type { Model, ProviderId } from '../../../src/core/models/types';
import { FakeModelServer } from '../../fixtures/fake-servers';

export const PROVIDER_IDS: ProviderId[] = ['openai', 'openai-compatible', 'anthropic'];

/** A key that must never show up in any message, event or log. */
export const SENTINEL_KEY = 'sk-SENTINELkey0123456789abcdef';

export interface Harness {
  model: Model;
  sleeps: number[];
}

/**
 * A model for `provider` pointed at `server`, with recorded (not real) backoff sleeps that advance a fake
 * clock, and its own rate gate (unless `extra.retry.gate` shares one).
 */
export function modelFor(server: FakeModelServer, provider: ProviderId, stream: boolean, extra: Partial<CreateModelOptions> = {}): Harness {
  const sleeps: number[] = [];
  let clock = Date.now();
  const model = createModel({
    provider,
    model: provider === 'anthropic' ? 'claude-sonnet-4-5' : 'gpt-4o-mini',
    baseUrl: server.baseUrlFor(provider),
    apiKey: SENTINEL_KEY,
    env: {},
    stream,
    ...extra,
    retry: {
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      now: () => clock,
      random: () => 0.5,
      gate: new RateGate(provider),
      ...extra.retry,
    },
  });
  return { model, sleeps };
}

/** Runs `fn` and returns what it threw (fails when it did not throw). */
export async function thrown(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/**
 * A loopback fake model server around the enclosing `describe`: started before its tests (handed to
 * `onStart`, which the suite keeps in a `let`), reset before each test, closed after.
 */
export function useFakeServer(onStart: (server: FakeModelServer) => void): void {
  let server: FakeModelServer | undefined;
  before(async () => {
    server = await FakeModelServer.start();
    onStart(server);
  });
  // Tolerates a failed start: mocha still runs `after`, and its error would hide the real one.
  after(() => server?.close());
  beforeEach(() => server?.reset());
}
