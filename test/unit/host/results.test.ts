import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResultsTimeoutError, formatResults, waitForFile, type MochaResults } from '../../../test/host/lib/results';

const t = (fullTitle: string, err?: { message: string }) => ({ title: fullTitle, fullTitle, ...(err ? { err } : {}) });

describe('host results', () => {
  it('prints tests in run order and ends with the plain closing line', () => {
    const results: MochaResults = {
      stats: { tests: 3, passes: 1, failures: 1, pending: 1 },
      tests: [t('s a'), t('s b', { message: 'boom' }), t('s c')],
      passes: [t('s a')],
      failures: [t('s b', { message: 'boom' })],
      pending: [t('s c')],
    };
    const lines = formatResults(results).split('\n');
    assert.deepEqual(lines.slice(0, 3), ['  ✔ s a', '  1) s b', '  - s c (skipped)']);
    assert.ok(lines.some((l) => l.includes('boom')));
    assert.equal(lines[lines.length - 1], '1 passed, 1 failed, 1 skipped');
  });

  it('lists a failure outside any test (a hook)', () => {
    const out = formatResults({ stats: { tests: 0, passes: 0, failures: 1, pending: 0 }, tests: [], passes: [], pending: [], failures: [t('"before all" hook', { message: 'x' })] });
    assert.match(out, /1\) "before all" hook\n/);
    assert.match(out, /\n0 passed, 1 failed$/);
  });

  it('waits for the results file without polling, and gives up on abort or timeout', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agensflow-results-'));
    try {
      const file = path.join(dir, 'r.json');
      const never = new Promise<string>(() => undefined);
      const waiting = waitForFile(file, 10_000, never);
      fs.writeFileSync(`${file}.partial`, '{}');
      fs.renameSync(`${file}.partial`, file);
      await waiting;
      await assert.rejects(waitForFile(path.join(dir, 'absent'), 10_000, Promise.resolve('server died')), /server died/);
      await assert.rejects(waitForFile(path.join(dir, 'absent'), 1, never), ResultsTimeoutError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
