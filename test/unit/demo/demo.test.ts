/**
 * `npm run demo`'s scripted path, in-process (the CLI's main() instead of dist/cli.js, so no build), so the
 * demo cannot rot: the run ends 0 with a playable game in the output folder, after the injected failure was
 * repaired by a local update, and the output says no model is involved.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DemoUsageError, liveProviderFlags, runDemo } from '../../../demo/demoRun';
import { main } from '../../../src/cli/main';
import type { CliIo } from '../../../src/cli/io';
import { tempDirs } from '../run/tmp';

describe('npm run demo (scripted path, in-process)', function () {
  this.timeout(120_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  function demoIn(out: string) {
    let text = '';
    const write = (t: string): void => void (text += t);
    // The verifiers find python3 on the PATH the CLI is given (no keys: the scripted server needs none).
    const io: CliIo = { stdout: write, stderr: write, cwd: path.dirname(out), env: { PATH: process.env.PATH } };
    return { run: () => runDemo({ out, live: false, env: {}, cli: (argv) => main(argv, io), write }), text: () => text };
  }

  it('ends 0 with the game in the output folder, the injected failure repaired by a local update, and says no model is involved', async () => {
    const out = path.join(tmp.make('af-demo-'), 'demo-out');
    const demo = demoIn(out);
    const r = await demo.run();
    assert.equal(r.exitCode, 0, demo.text());
    assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.py')).sort(), ['ai.py', 'gui.py', 'main.py', 'rules.py']);
    const text = demo.text();
    assert.match(text, /scripted model — no model is involved/);
    const failedAi = r.events.findIndex((e) => e.type === 'task.verified' && e.taskId === 'ai' && e.outcome === 'failed');
    const updated = r.events.findIndex((e) => e.type === 'plan.updated' && e.taskId === 'ai');
    const passedAi = r.events.findIndex((e) => e.type === 'task.verified' && e.taskId === 'ai' && e.outcome === 'passed');
    assert.ok(failedAi >= 0 && failedAi < updated && updated < passedAi, 'ai failed, the plan was updated, then ai passed');
    assert.ok(r.events.some((e) => e.type === 'decision'), 'decisions are recorded');
    assert.match(text, /injected failure: ai\.py is cut off/);
    assert.match(text, /↻ local update at ai/);
    assert.match(text, /✔ Game rule/);
    assert.match(text, /task\s+status\s+tries\s+files/, 'the final table');
  });

  it('replaces a previous demo\'s output but refuses a folder that is not one', async () => {
    const base = tmp.make('af-demo-');
    const out = path.join(base, 'demo-out');
    mkdirSync(out);
    writeFileSync(path.join(out, 'mine.txt'), 'keep me\n');
    await assert.rejects(demoIn(out).run(), DemoUsageError);
    assert.ok(existsSync(path.join(out, 'mine.txt')));
  });

  it('--live picks a provider from --base-url or the environment, and explains when there is none', () => {
    assert.deepEqual(liveProviderFlags({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen', env: {} }), ['--provider', 'openai-compatible', '--base-url', 'http://127.0.0.1:11434/v1', '--model', 'qwen']);
    assert.deepEqual(liveProviderFlags({ env: { ANTHROPIC_API_KEY: 'k' } }), ['--provider', 'anthropic']);
    assert.deepEqual(liveProviderFlags({ env: { OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k' } }), ['--provider', 'openai']);
    assert.throws(() => liveProviderFlags({ env: {} }), /OPENAI_API_KEY or ANTHROPIC_API_KEY/);
    assert.throws(() => liveProviderFlags({ baseUrl: 'http://127.0.0.1:1/v1', env: {} }), /--model/);
  });
});
