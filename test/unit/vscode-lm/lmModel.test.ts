/**
 * The `vscode-lm` provider in Node, over a hand-made fake of the `vscode.lm` surface: message conversion (the
 * system prompt as the first User message, tool calls and results as native parts), tool schemas normalised,
 * streaming, usage from `countTokens`, cancellation, the API's errors as typed provider errors, model selection
 * by vendor/family/id, the registry and the picker's live list, and a whole run planned, written and inspected
 * through it.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { callTool, createModel, isModelAbortedError, isProviderError, isStructuredAnswerError, meteredModel, ProviderError, UsageMeter, type Model, type ToolSpec } from '../../../src/core/models';
import { isPlanningFailure, setupErrorOf } from '../../../src/core/session';
import { createLmModel, selectorsOf, toLmMessages } from '../../../src/vscode/lm/lmModel';
import { normaliseToolSchema } from '../../../src/vscode/lm/schema';
import { EXTENSION_PROVIDER_IDS, extensionProviders } from '../../../src/vscode/providers';
import { fixFor, runWithSettings } from '../../../src/vscode/run/runSession';
import { AGENSFLOW_SETTINGS } from '../../../src/vscode/settings';
import type { Settings, SettingsReader } from '../../../src/vscode/run/runConfig';
import { tempDirs } from '../run/tmp';
import { copilotChats, FakeChat, fakeLm, FakeLanguageModelError, FakeTextPart, FakeToolCallPart, FakeToolResultPart, type FakeChatMessage, type FakeRequest } from './fakeLm';

const hi = [{ role: 'user' as const, content: 'hi' }];

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('expected a rejection');
}

describe('vscode-lm: the adapter over a fake vscode.lm', () => {
  it('streams text to the listener, counts usage with countTokens, and is priced as included', async () => {
    const lm = fakeLm(copilotChats());
    lm.chats[0]!.script = () => [new FakeTextPart('Hello, '), new FakeTextPart('world')];
    const deltas: string[] = [];
    const model = createLmModel({ api: lm.api, model: 'copilot/gpt-4o' });
    const r = await model.call({ messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'Task a: say hello' }], onEvent: (e) => e.type === 'text' && deltas.push(e.delta) });
    assert.equal(r.text, 'Hello, world');
    assert.deepEqual(deltas, ['Hello, ', 'world']);
    assert.equal(r.stopReason, 'stop');
    assert.equal(r.model, 'copilot/gpt-4o');
    // countTokens of the fake: one token per four characters of each message, and of the answer.
    assert.deepEqual(r.usage, { inputTokens: Math.ceil('be brief'.length / 4) + Math.ceil('Task a: say hello'.length / 4), outputTokens: Math.ceil('Hello, world'.length / 4) });
    assert.equal(model.pricing, 'included');
    const meter = new UsageMeter();
    await meteredModel(model, meter, { role: 'agent' }).call({ messages: hi });
    assert.equal(meter.all()[0]!.cost, 0, 'gpt-4o through VS Code is not priced as OpenAI\'s gpt-4o');
    assert.equal(lm.chats[0]!.requests[0]!.options.justification !== undefined, true, 'the consent prompt says why');
  });

  it('sends the system prompt as a first User message of its own; tool calls and results as native parts', () => {
    const lm = fakeLm([]);
    const out = toLmMessages(lm.api, [
      { role: 'system', content: 'You are an agent.' },
      { role: 'user', content: 'Task t1: Write a\nmore' },
      { role: 'assistant', content: 'writing', toolCalls: [{ id: 'c1', name: 'write_file', arguments: { path: 'a.txt', content: 'x' }, rawArguments: '{"path":"a.txt","content":"x"}' }, { id: 'c2', name: 'read_file', arguments: { path: 'b' }, rawArguments: '{"path":"b"}' }] },
      { role: 'tool', toolCallId: 'c1', name: 'write_file', content: 'wrote a.txt' },
      { role: 'tool', toolCallId: 'c2', name: 'read_file', content: 'no such file', isError: true },
      { role: 'user', content: 'now finish' },
    ]) as unknown as FakeChatMessage[];
    assert.deepEqual(out.map((m) => m.role), [1, 1, 2, 1], 'User (system), User (task), Assistant (calls), User (results + note)');
    assert.equal(out[0]!.text, 'You are an agent.');
    assert.ok(out[1]!.text.startsWith('Task t1: Write a'), "the task's first message keeps its first line");
    const calls = out[2]!.content.filter((p): p is FakeToolCallPart => p instanceof FakeToolCallPart);
    assert.deepEqual(calls.map((c) => [c.callId, c.name, c.input]), [['c1', 'write_file', { path: 'a.txt', content: 'x' }], ['c2', 'read_file', { path: 'b' }]]);
    const results = out[3]!.content.filter((p): p is FakeToolResultPart => p instanceof FakeToolResultPart);
    assert.deepEqual(results.map((r) => [r.callId, (r.content[0] as FakeTextPart).value]), [['c1', 'wrote a.txt'], ['c2', 'Error: no such file']]);
    assert.equal(out[3]!.text, 'now finish', 'the note follows the results in the same User message');
  });

  it('offers tools with normalised schemas; a forced tool is offered alone in Required mode; answers native tool calls', async () => {
    const lm = fakeLm(copilotChats());
    const chat = lm.chats[0]!;
    chat.script = () => [new FakeToolCallPart('call-9', 'submit_verdict', { pass: true, reasons: [] })];
    const verdict: ToolSpec<{ pass: boolean; reasons: string[]; note: string | null }> = { name: 'submit_verdict', description: 'verdict', schema: z.object({ pass: z.boolean(), reasons: z.array(z.string()), note: z.string().nullable() }) };
    const other: ToolSpec = { name: 'other', description: 'other', schema: z.object({}) };
    const model = createLmModel({ api: lm.api, model: 'gpt-4o' });
    const forced = await model.call({ messages: hi, tools: [other, verdict], toolChoice: { name: 'submit_verdict' } });
    assert.deepEqual(forced.toolCalls, [{ id: 'call-9', name: 'submit_verdict', arguments: { pass: true, reasons: [] }, rawArguments: '{"pass":true,"reasons":[]}' }]);
    assert.equal(forced.stopReason, 'tool_calls');
    const sent = chat.requests[0]!.options;
    assert.deepEqual(sent.tools?.map((t) => t.name), ['submit_verdict']);
    assert.equal(sent.toolMode, 2);
    const schema = JSON.stringify(sent.tools?.[0]?.inputSchema);
    assert.ok(!/"type":\[/.test(schema), `no type lists reach the model: ${schema}`);
    await model.call({ messages: hi, tools: [other, verdict], toolChoice: 'auto' });
    assert.deepEqual(chat.requests[1]!.options.tools?.map((t) => t.name), ['other', 'submit_verdict']);
    assert.equal(chat.requests[1]!.options.toolMode, 1);
    await model.call({ messages: hi });
    assert.equal(chat.requests[2]!.options.tools, undefined);
  });

  it('normalises ["T","null"] type lists to anyOf at every depth, leaving the input unchanged', () => {
    const input = { type: 'object', properties: { a: { type: ['string', 'null'] }, b: { type: 'array', items: { type: ['integer', 'null'], minimum: 0 } }, c: { type: ['number'] } } };
    const copy = JSON.parse(JSON.stringify(input)) as object;
    assert.deepEqual(normaliseToolSchema(input), {
      type: 'object',
      properties: { a: { anyOf: [{ type: 'string' }, { type: 'null' }] }, b: { type: 'array', items: { minimum: 0, anyOf: [{ type: 'integer' }, { type: 'null' }] } }, c: { type: 'number' } },
    });
    assert.deepEqual(input, copy);
  });

  it('selects by vendor/id, vendor/family, a bare id or family, or any model of a vendor', async () => {
    assert.deepEqual(selectorsOf('copilot/gpt-4o'), [{ vendor: 'copilot', id: 'gpt-4o' }, { vendor: 'copilot', family: 'gpt-4o' }]);
    assert.deepEqual(selectorsOf('gpt-4o'), [{ id: 'gpt-4o' }, { family: 'gpt-4o' }]);
    assert.deepEqual(selectorsOf('copilot/'), [{ vendor: 'copilot' }]);
    const chats = [new FakeChat('copilot', 'claude-sonnet-4-id', 'claude-sonnet-4', 'Claude'), new FakeChat('other-ext', 'local-1', 'llama', 'Local')];
    chats[0]!.script = () => [new FakeTextPart('from copilot')];
    chats[1]!.script = () => [new FakeTextPart('from the other extension')];
    const lm = fakeLm(chats);
    assert.equal((await createLmModel({ api: lm.api, model: 'copilot/claude-sonnet-4' }).call({ messages: hi })).text, 'from copilot', 'family');
    assert.equal((await createLmModel({ api: lm.api, model: 'local-1' }).call({ messages: hi })).text, 'from the other extension', 'bare id');
    assert.equal((await createLmModel({ api: lm.api, model: 'other-ext/*' }).call({ messages: hi })).text, 'from the other extension', 'any of a vendor');
  });

  it('cancellation: the abort signal cancels the request token and the call ends as aborted', async () => {
    const lm = fakeLm(copilotChats());
    const ac = new AbortController();
    let seen: FakeRequest | undefined;
    lm.chats[0]!.script = (req) => {
      seen = req;
      return (async function* () {
        yield new FakeTextPart('partial');
        // The answer goes on until VS Code's token says stop (as a real model's stream does).
        await new Promise<void>((resolve) => req.token.onCancellationRequested(resolve));
      })();
    };
    const call = createLmModel({ api: lm.api, model: 'copilot/gpt-4o' }).call({ messages: hi, signal: ac.signal, onEvent: () => ac.abort() });
    const e = await thrown(call);
    assert.ok(isModelAbortedError(e), String(e));
    assert.equal(seen?.token.isCancellationRequested, true);
    assert.ok(isModelAbortedError(await thrown(createLmModel({ api: lm.api, model: 'copilot/gpt-4o' }).call({ messages: hi, signal: ac.signal }))), 'an aborted signal sends nothing');
    assert.equal(lm.chats[0]!.requests.length, 1);
  });

  it('the whole call has a deadline (its token cancelled, not retried); an oversized answer is stopped', async () => {
    const lm = fakeLm(copilotChats());
    let seen: FakeRequest | undefined;
    lm.chats[0]!.script = (req) => {
      seen = req;
      return (async function* () {
        yield new FakeTextPart('thinking');
        await new Promise<void>((resolve) => req.token.onCancellationRequested(resolve));
      })();
    };
    const late = await thrown(createLmModel({ api: lm.api, model: 'copilot/gpt-4o', totalMs: 20 }).call({ messages: hi }));
    assert.ok(isProviderError(late) && late.kind === 'deadline' && !late.retryable, String(late));
    assert.equal(seen?.token.isCancellationRequested, true);
    lm.chats[0]!.script = () => [new FakeTextPart('x'.repeat(40))];
    const big = await thrown(createLmModel({ api: lm.api, model: 'copilot/gpt-4o', limits: { maxAnswerBytes: 16, maxToolCalls: 4 } }).call({ messages: hi }));
    assert.ok(isProviderError(big) && big.kind === 'answer-too-large', String(big));
    lm.chats[0]!.script = () => [1, 2, 3].map((i) => new FakeToolCallPart(`c${i}`, 'finish', { summary: 's' }));
    const many = await thrown(createLmModel({ api: lm.api, model: 'copilot/gpt-4o', limits: { maxAnswerBytes: 1000, maxToolCalls: 2 } }).call({ messages: hi }));
    assert.ok(isProviderError(many) && many.kind === 'answer-too-large', String(many));
  });

  it("maps the API's errors to typed provider errors with a fix: consent, not found, withdrawn (quota), blocked, none at all", async () => {
    const lm = fakeLm(copilotChats());
    const [gpt] = lm.chats;
    const kindOf = async (model = 'copilot/gpt-4o'): Promise<string> => {
      const e = await thrown(createLmModel({ api: lm.api, model }).call({ messages: hi }));
      assert.ok(isProviderError(e), String(e));
      assert.equal(e.provider, 'vscode-lm');
      assert.equal(e.retryable, false, e.kind);
      return e.kind;
    };
    gpt!.script = () => ({ error: FakeLanguageModelError.NoPermissions('the user declined') });
    assert.equal(await kindOf(), 'consent');
    gpt!.script = () => ({ error: FakeLanguageModelError.Blocked(), throwAt: 'stream' });
    assert.equal(await kindOf(), 'blocked');
    // Still offered, yet not found: a model to pick again.
    gpt!.script = () => ({ error: FakeLanguageModelError.NotFound() });
    assert.equal(await kindOf(), 'not-found');
    // Withdrawn while in use (quota spent): VS Code stops offering it.
    gpt!.script = () => {
      lm.chats.splice(lm.chats.indexOf(gpt!), 1);
      lm.changed();
      return { error: FakeLanguageModelError.NotFound(), throwAt: 'stream' };
    };
    assert.equal(await kindOf(), 'quota');
    // Now nothing matches the setting at all: no request is sent.
    const e = await thrown(createLmModel({ api: lm.api, model: 'copilot/gpt-4o' }).call({ messages: hi }));
    assert.ok(isProviderError(e) && e.kind === 'not-found' && /no language model matching 'copilot\/gpt-4o'.*Copilot/s.test(e.message), String(e));
    // What the run shows, by kind: consent (try again once the user acts), blocked and a missing model each lead somewhere.
    for (const [kind, fix] of [['consent', 'retry'], ['blocked', 'selectModel'], ['quota', 'selectModel'], ['not-found', 'selectModel']] as const) {
      const setup = setupErrorOf(new ProviderError({ kind, provider: 'vscode-lm', baseUrl: 'x', model: 'm', message: kind }));
      assert.ok(setup, kind);
      assert.equal(fixFor(setup.kind), fix, kind);
    }
    // Any other failure of the model is a server error (retried by the retry layer).
    const lm2 = fakeLm(copilotChats());
    lm2.chats[0]!.script = () => ({ error: new Error('socket hang up') });
    const other = await thrown(createLmModel({ api: lm2.api, model: 'copilot/gpt-4o' }).call({ messages: hi }));
    assert.ok(isProviderError(other) && other.kind === 'server' && other.retryable);
  });
});

describe('vscode-lm: registered by the extension', function () {
  this.timeout(30_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('the extension registry holds vscode-lm (no key, no URL, included), the picker lists the models VS Code offers now', async () => {
    const lm = fakeLm(copilotChats());
    const reg = extensionProviders(lm.api);
    assert.deepEqual(reg.ids(), [...EXTENSION_PROVIDER_IDS]);
    const def = reg.get('vscode-lm');
    assert.ok(def?.listModels);
    assert.equal(def.key.kind, 'none');
    assert.equal(def.pricing, 'included');
    assert.deepEqual((await def.listModels()).map((m) => m.id), ['copilot/gpt-4o', 'copilot/claude-sonnet-4']);
    lm.chats.push(new FakeChat('other-ext', 'local-1', 'llama', 'Local'));
    assert.deepEqual((await def.listModels()).map((m) => m.id), ['copilot/gpt-4o', 'copilot/claude-sonnet-4', 'other-ext/local-1'], 'live: a model added since is listed');
    // Built through the same createModel as every provider: never a key, even with OPENAI_API_KEY set.
    const model: Model = createModel({ providers: reg, provider: 'vscode-lm', model: 'copilot/gpt-4o', apiKey: 'sk-must-not-travel', env: { OPENAI_API_KEY: 'sk-env' } });
    assert.equal(model.pricing, 'included');
    assert.equal((await model.call({ messages: hi })).text, 'ok');
    const structured = await callTool(model, { messages: hi, tool: { name: 'submit_verdict', description: 'v', schema: z.object({ pass: z.boolean(), reasons: z.array(z.string()) }) }, step: 'inspector' }).catch((e: unknown) => e);
    assert.ok(isStructuredAnswerError(structured), 'an answer without the forced tool call is an invalid structured answer');
  });

  it('a whole run through vscode-lm: planned, written with tool calls, inspected; usage counted, nothing priced', async () => {
    const lm = fakeLm(copilotChats());
    const plan = { tasks: [{ id: 'hello', title: 'Hello', objective: 'write hello.txt', files: ['hello.txt'] }] };
    lm.chats[0]!.script = (req) => {
      const tools = (req.options.tools ?? []).map((t) => t.name);
      // Answer by our tool names, as the in-host fake provider does.
      if (tools.includes('submit_workflow')) return [new FakeToolCallPart('p1', 'submit_workflow', plan)];
      if (tools.includes('submit_verdict')) return [new FakeToolCallPart('v1', 'submit_verdict', { pass: true, reasons: ['written'] })];
      const last = req.messages[req.messages.length - 1]!;
      const results = last.content.filter((p) => p instanceof FakeToolResultPart);
      return results.length === 0 ? [new FakeToolCallPart('w1', 'write_file', { path: 'hello.txt', content: 'hello\n' })] : [new FakeToolCallPart('f1', 'finish', { summary: 'wrote hello.txt' })];
    };
    const ws = path.join(tmp.make('af-lm-'), 'ws');
    mkdirSync(ws);
    const values: Partial<Settings> = { provider: 'vscode-lm', 'models.agent': 'copilot/gpt-4o', apply: 'auto', candidates: 1 };
    const settings: SettingsReader = <K extends keyof Settings & string>(k: K): Settings[K] => (k in values ? values[k] : AGENSFLOW_SETTINGS[k].default) as Settings[K];
    const out = await runWithSettings(
      { settings, keys: { get: async () => undefined }, stateDir: tmp.make('af-lm-state-'), env: { PATH: process.env.PATH ?? '' }, providers: extensionProviders(lm.api), warn: () => undefined },
      { start: { goal: 'write hello', dir: ws }, signal: new AbortController().signal, onEvent: () => undefined },
    );
    assert.ok(!isPlanningFailure(out), isPlanningFailure(out) ? out.reason : '');
    assert.equal(out.exitCode, 0, out.record.reason);
    assert.equal(readFileSync(path.join(ws, 'hello.txt'), 'utf8'), 'hello\n');
    assert.ok(out.record.usage.inputTokens > 0 && out.record.usage.outputTokens > 0, 'tokens from countTokens');
    assert.equal(out.record.usage.cost, 0);
    assert.equal(out.record.settings.provider, 'vscode-lm');
    assert.ok(lm.chats[0]!.requests.length >= 4, 'planner, two agent turns, inspector');
  });
});
