import { strict as assert } from 'node:assert';
import { validPlan } from '../plan/helpers';
import { startRun, type RunEvent } from '../../../src/core/run';
import { composeRun } from '../../../src/core/session';
import { ScriptedToolModel } from '../replan/helpers';
import { FakeModel } from '../run/fakeModel';
import { tempDirs } from '../run/tmp';
import { isModelConfigError } from '../../../src/core/models';
import { AGENSFLOW_SETTINGS } from '../../../src/vscode/settings';
import { agentModelNamesOf, buildAgentModels, buildRoleModel, engineConfigOf, isRunSetupError, modelNameOf, modelSettingsOf, runOptionsOf, type Settings, type SettingsReader } from '../../../src/vscode/run/runConfig';
import { fixFor } from '../../../src/vscode/run/runSession';

function reader(values: Partial<Settings>): SettingsReader {
  return <K extends keyof Settings & string>(k: K): Settings[K] => (k in values ? values[k] : AGENSFLOW_SETTINGS[k].default) as Settings[K];
}

describe('vscode run: settings to run configuration', () => {
  it('uses the agent model for roles left empty, and asks to select a model when none is set', () => {
    const get = reader({ 'models.agent': 'gpt-4.1-mini', 'models.planner': 'gpt-5' });
    assert.equal(modelNameOf(get, 'planner'), 'gpt-5');
    assert.equal(modelNameOf(get, 'inspector'), 'gpt-4.1-mini');
    assert.throws(() => modelNameOf(reader({}), 'agent'), (e: unknown) => isRunSetupError(e) && fixFor(e.kind) === 'selectModel');
  });

  it('builds with the stored key; openai without one needs its env key; openai-compatible needs none', () => {
    const openai = buildRoleModel(reader({ 'models.agent': 'gpt-4o' }), 'agent', 'sk-stored', { OPENAI_API_KEY: 'sk-env' });
    assert.equal(openai.provider, 'openai');
    // No stored key and none in the environment (S9: deleted in another window): "no key configured", before any request.
    assert.throws(() => buildRoleModel(reader({ 'models.agent': 'gpt-4o' }), 'agent', undefined, { OPENAI_API_KEY: ' \n' }), (e: unknown) => isRunSetupError(e) && e.kind === 'no-key' && /No API key configured for openai/.test(e.message));
    // A stored key that could not be sent is the model layer's error (P7).
    assert.throws(() => buildRoleModel(reader({ 'models.agent': 'gpt-4o' }), 'agent', 'sk-\u00e9', {}), isModelConfigError);
    const local = buildRoleModel(reader({ provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:1/v1', 'models.agent': 'qwen' }), 'agent', undefined, { OPENAI_API_KEY: 'sk-env' });
    assert.equal(local.provider, 'openai-compatible');
  });

  it('offers the policy the agent model then its alternatives, cheapest first, without repeats', () => {
    assert.deepEqual(agentModelNamesOf(reader({ 'models.agent': 'small' })), ['small']);
    const get = reader({ provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:1/v1', 'models.agent': 'small', 'models.agentAlternatives': ['big', ' small ', 'huge'] });
    assert.deepEqual(agentModelNamesOf(get), ['small', 'big', 'huge']);
    const models = buildAgentModels(get, undefined, {});
    assert.deepEqual(models.map((m) => [m.provider, m.name]), [['openai-compatible', 'small'], ['openai-compatible', 'big'], ['openai-compatible', 'huge']]);
  });

  it('maps budgets, verifiers, test command, prices and the overview budget, leaving unset ones out', () => {
    assert.deepEqual(engineConfigOf(reader({})), {
      verifyTimeoutMs: 120_000, agentChecksPerAttempt: 3, overviewTokens: 4000, recovery: { maxRetries: 1, updatesPerTask: 2, updatesPerRun: 6 }, context: { projectRules: true }, planner: { exploreTurns: 6, exploreTokens: 60_000 },
    });
    assert.equal(engineConfigOf(reader({ 'context.overviewTokens': 1500 })).overviewTokens, 1500);
    assert.deepEqual(engineConfigOf(reader({ 'context.projectRules': false, 'planner.exploreTurns': 0 })).context, { projectRules: false });
    assert.equal(engineConfigOf(reader({ 'planner.exploreTurns': 0 })).planner?.exploreTurns, 0);
    const cfg = engineConfigOf(reader({
      'budget.tokens': 5000, 'budget.cost': 0, testCommand: ['pytest', '-q'], verifiers: [{ glob: '**/*.py', command: ['ruff', 'check', '{files}'] }], prices: { m: { input: 1, output: 2 } },
    }));
    assert.deepEqual(cfg.budget, { tokens: 5000 });
    assert.deepEqual(cfg.testCommand, ['pytest', '-q']);
    assert.equal(cfg.verifiers?.length, 1);
    assert.deepEqual(cfg.prices, { m: { input: 1, output: 2 } });
    assert.equal(engineConfigOf(reader({ agentChecksPerAttempt: 0 })).agentChecksPerAttempt, 0, 'run_checks can be turned off');
  });

  it('records provider, model and base URL for resume, and leaves candidates to the policy at 0', () => {
    assert.deepEqual(modelSettingsOf(reader({ 'models.agent': 'm', baseUrl: ' http://x/v1 ' })), { provider: 'openai', model: 'm', baseUrl: 'http://x/v1' });
    assert.deepEqual(runOptionsOf(reader({})), { maxAgents: 4, apply: 'review' });
    assert.deepEqual(runOptionsOf(reader({ candidates: 5, apply: 'auto' })), { maxAgents: 4, candidates: 5, apply: 'auto' });
  });

  describe('a run composed from the settings (the session function the CLI uses too)', function () {
    this.timeout(20_000);
    const tmp = tempDirs();
    afterEach(() => tmp.cleanup());

    it('has the inspector, the updater with K from agensflow.candidates and the recovery budgets from agensflow.recovery.*', async () => {
      const get = reader({ 'models.agent': 'm', candidates: 2, 'recovery.maxRetries': 0, 'recovery.updatesPerTask': 1 });
      // One scripted model answers as inspector (fails the first version of x) and as updater (clarifies x).
      let verdicts = 0;
      const roles = new ScriptedToolModel((_n, req) => {
        if (req.tools?.some((t) => t.name === 'submit_verdict')) return { name: 'submit_verdict', args: ++verdicts === 1 ? { pass: false, reasons: ['x is vague'] } : { pass: true, reasons: ['ok'] } };
        return { name: 'submit_update', args: { reason: 'clarify x', replace: [{ id: 'x', title: 'X', objective: 'x, clarified', files: ['x.txt'] }] } };
      });
      const events: RunEvent[] = [];
      const { candidates } = runOptionsOf(get);
      const options = composeRun(engineConfigOf(get), {
        models: { agent: new FakeModel(), inspector: roles, updater: roles },
        stateDir: tmp.make('af-state-'), signal: new AbortController().signal, onEvent: (e) => events.push(e), env: { PATH: process.env.PATH ?? '' },
        ...(candidates !== undefined ? { candidates } : {}),
      });
      assert.deepEqual(options.recovery, { maxRetries: 0, updatesPerTask: 1, updatesPerRun: 6 });
      const plan = validPlan({ tasks: [{ id: 'x', title: 'X', objective: 'x', files: ['x.txt'] }] });
      const out = await startRun({ ...options, dir: tmp.make('af-ws-'), plan });
      assert.equal(out.exitCode, 0, JSON.stringify([out.record.reason, out.record.tasks.x]));
      assert.equal(out.record.tasks.x.attempts, 2, 'no retry (maxRetries 0): the update came at once');
      assert.equal(events.filter((e) => e.type === 'plan.updated').length, 1);
      assert.equal(verdicts, 2);
      assert.equal(roles.calls, 4, '2 verdicts + K = 2 update candidates');
    });
  });
});
