import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { ESLint } from 'eslint';
import { REPO_ROOT } from '../../../test/host/lib/paths';

/** The rule ids and messages ESLint (with the repository's config) reports for `code` at `file`. */
async function lint(code: string, file: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: REPO_ROOT });
  const [result] = await eslint.lintText(code, { filePath: path.join(REPO_ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

describe('host drivers: no fixed sleeps (eslint.config.mjs)', function () {
  // Loading typescript-eslint takes a few seconds on a loaded machine.
  this.timeout(60_000);

  const sleeps: Record<string, string> = {
    'playwright waitForTimeout': 'export async function f(page: { waitForTimeout(ms: number): Promise<void> }): Promise<void> {\n  await page.waitForTimeout(1500);\n}\n',
    'a promise around setTimeout(resolve)': 'export async function f(): Promise<void> {\n  await new Promise((r) => setTimeout(r, 100));\n}\n',
    'a promise around setTimeout(() => resolve())': 'export async function f(): Promise<void> {\n  await new Promise<void>((r) => setTimeout(() => r(), 100));\n}\n',
    'timers/promises': "import { setTimeout as wait } from 'node:timers/promises';\nexport const f = (): Promise<void> => wait(100);\n",
    'a sleep() helper': 'declare function sleep(ms: number): Promise<void>;\nexport const f = (): Promise<void> => sleep(100);\n',
  };

  for (const [what, code] of Object.entries(sleeps)) {
    it(`rejects ${what} in test/host and test/e2e`, async () => {
      for (const file of ['test/host/fake-driver.ts', 'test/e2e/fake.e2e.ts']) {
        const messages = await lint(code, file);
        assert.equal(messages.length, 1, `${file}: ${JSON.stringify(messages)}`);
        assert.match(messages[0], /No fixed sleeps/);
      }
    });
  }

  it('allows a deadline timer (setTimeout that rejects or kills, not a pause)', async () => {
    const code = 'export function f(stop: () => void): Promise<void> {\n  return new Promise((resolve, reject) => {\n    const t = setTimeout(() => reject(new Error("late")), 1000);\n    setTimeout(() => stop(), 5000);\n    clearTimeout(t);\n    resolve();\n  });\n}\n';
    assert.deepEqual(await lint(code, 'test/host/fake-driver.ts'), []);
  });
});
