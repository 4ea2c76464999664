/** The project's rule files: which are read, how they are scoped and bounded, and that the path rules hold for them. */
import { strict as assert } from 'node:assert';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { updaterMessages } from '../../../src/core/replan/prompt';
import { decisionSummary } from '../../../src/protocol/decisionWords';
import { frontMatter, loadProjectRules, ProjectRulesSource, rulesDecision, rulesFor, rulesSection } from '../../../src/core/run/projectRules';
import { tempDirs } from './tmp';

function write(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

const FIXTURE: Record<string, string> = {
  'AGENTS.md': 'ROOT-AGENTS: run the tests with pytest.\n',
  'CLAUDE.md': 'ROOT-CLAUDE: keep functions short.\n',
  'src/api/AGENTS.md': 'API-AGENTS: every route returns JSON.\n',
  'src/AGENTS.md': 'SRC-AGENTS: type hints everywhere.\n',
  'docs/AGENTS.md': 'DOCS-AGENTS: British spelling.\n',
  '.github/copilot-instructions.md': 'COPILOT: no print statements.\n',
  '.github/instructions/python.instructions.md': '---\napplyTo: "**/*.py"\n---\nPY-INSTR: follow PEP 8.\n',
  '.github/instructions/manual.instructions.md': 'MANUAL-INSTR: only when asked.\n',
  '.cursorrules': 'CURSORRULES: small commits.\n',
  '.cursor/rules/ts.mdc': '---\ndescription: TypeScript\nglobs: *.ts, web/**\nalwaysApply: false\n---\nTS-MDC: strict mode.\n',
  '.cursor/rules/always.mdc': '---\nalwaysApply: true\n---\nALWAYS-MDC: explain why in comments.\n',
  '.cursor/rules/agent.mdc': '---\ndescription: when refactoring\n---\nREQUESTED-MDC: only on request.\n',
  '.clinerules/style.md': 'CLINE: no magic numbers.\n',
  '.roo/rules/01-general.md': 'ROO: prefer composition.\n',
  'src/api/routes.py': 'ROUTES = []\n',
  'node_modules/pkg/AGENTS.md': 'VENDORED-AGENTS: not ours.\n',
};

describe('run: project rules', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('reads every kind of rule file, scoped: AGENTS.md nearest above the files, applyTo and globs, alwaysApply', async () => {
    const root = tmp.make('af-rules-');
    write(root, FIXTURE);
    const rules = await loadProjectRules(root);
    const paths = rules.files.map((f) => f.path);
    for (const p of ['AGENTS.md', 'CLAUDE.md', '.github/copilot-instructions.md', '.github/instructions/python.instructions.md', '.cursorrules', '.cursor/rules/ts.mdc', '.cursor/rules/always.mdc', '.clinerules/style.md', '.roo/rules/01-general.md', 'src/AGENTS.md', 'src/api/AGENTS.md', 'docs/AGENTS.md']) {
      assert.ok(paths.includes(p), `${p} read`);
    }
    assert.ok(!paths.includes('.github/instructions/manual.instructions.md') && !paths.includes('.cursor/rules/agent.mdc'), 'rules that are not applied automatically are left out');
    assert.ok(!paths.includes('node_modules/pkg/AGENTS.md'), 'dependency folders are not searched');
    assert.ok(rules.notes.some((n) => /manual\.instructions\.md has no applyTo/.test(n)));
    // Front matter is not part of the text.
    assert.equal(rules.files.find((f) => f.path === '.cursor/rules/ts.mdc')?.text, 'TS-MDC: strict mode.');

    const api = rulesFor(rules, ['src/api/handlers.py']).map((f) => f.path);
    assert.ok(api.includes('AGENTS.md') && api.includes('src/api/AGENTS.md') && api.includes('.github/instructions/python.instructions.md'));
    assert.ok(!api.includes('src/AGENTS.md'), 'only the nearest AGENTS.md above a file');
    assert.ok(!api.includes('docs/AGENTS.md') && !api.includes('.cursor/rules/ts.mdc'), 'rules scoped elsewhere are not given');
    const web = rulesFor(rules, ['web/app.js', 'docs/guide.md']).map((f) => f.path);
    assert.ok(web.includes('.cursor/rules/ts.mdc') && web.includes('docs/AGENTS.md') && !web.includes('src/api/AGENTS.md'));
    const none = rulesFor(rules, []).map((f) => f.path);
    assert.ok(none.includes('AGENTS.md') && none.includes('.cursor/rules/always.mdc') && !none.includes('src/AGENTS.md'));

    const section = rulesSection(rulesFor(rules, ['src/api/x.py']));
    assert.match(section, /^# Project rules/);
    assert.match(section, /## src\/api\/AGENTS\.md \(applies under src\/api\/\)\nAPI-AGENTS/);
    assert.equal(rulesSection([]), '');
  });

  it('bounds each file and the total, and says what was cut', async () => {
    const root = tmp.make('af-rules-');
    write(root, { 'AGENTS.md': 'A'.repeat(5000), 'CLAUDE.md': 'B'.repeat(5000), '.cursorrules': 'C'.repeat(100) });
    const rules = await loadProjectRules(root, { maxFileChars: 3000, maxTotalChars: 5000 });
    assert.deepEqual(rules.files.map((f) => [f.path, f.text.length, f.cut === true]), [['AGENTS.md', 3000, true], ['CLAUDE.md', 2000, true]]);
    assert.ok(rules.notes.some((n) => /AGENTS\.md was cut to its first 3000 characters/.test(n)));
    assert.ok(rules.notes.some((n) => /\.cursorrules not read: .*total cap of 5000/.test(n)));
    assert.match(rulesSection(rules.files), /the rest of this file was cut/);
  });

  it('attack: an AGENTS.md (and a rules folder) symlinked to a file outside the workspace is not read', async () => {
    const outside = tmp.make('af-outside-');
    writeFileSync(path.join(outside, 'secret.md'), 'OUTSIDE-SECRET: the deploy key is 1234\n');
    mkdirSync(path.join(outside, 'rules'));
    writeFileSync(path.join(outside, 'rules', 'a.md'), 'OUTSIDE-FOLDER: leaked\n');
    const root = tmp.make('af-rules-');
    write(root, { 'src/app.py': 'x = 1\n', '.env': 'KEY=1\n' });
    symlinkSync(path.join(outside, 'secret.md'), path.join(root, 'AGENTS.md'));
    mkdirSync(path.join(root, '.roo'));
    symlinkSync(path.join(outside, 'rules'), path.join(root, '.roo', 'rules'));
    // A rule file that is a second name of a secret (a hard link to .env) is not read either.
    linkSync(path.join(root, '.env'), path.join(root, 'CLAUDE.md'));
    const rules = await loadProjectRules(root);
    assert.deepEqual(rules.files, []);
    const all = JSON.stringify(rules);
    assert.doesNotMatch(all, /OUTSIDE-SECRET|OUTSIDE-FOLDER|KEY=1/);
    assert.ok(rules.notes.some((n) => /^AGENTS\.md not read: .*outside the workspace/.test(n)), rules.notes.join('\n'));
    assert.ok(rules.notes.some((n) => /^\.roo\/rules\/a\.md not read: .*outside the workspace/.test(n)), rules.notes.join('\n'));
  });

  it('turned off, nothing is read and the record says so', async () => {
    const root = tmp.make('af-rules-');
    write(root, FIXTURE);
    const rules = await new ProjectRulesSource(false).load(root);
    assert.deepEqual(rules.files, []);
    const d = rulesDecision(rules);
    assert.equal(d.choice, 'off');
    assert.equal(d.point, 'context.rules');
    const on = rulesDecision(await new ProjectRulesSource(true).load(root));
    assert.match(on.choice, /^AGENTS\.md, CLAUDE\.md, /);
    assert.ok(on.options.some((o) => o.id === 'src/api/AGENTS.md' && o.scope === 'applies under src/api/'));
  });

  it('the rules record reads as plain sentences: no "none found (no project rule files found (...))" nesting', async () => {
    const empty = tmp.make('af-rules-none-');
    const none = rulesDecision(await new ProjectRulesSource(true).load(empty));
    assert.equal(none.reason, 'the workspace has no project rule files (looked for AGENTS.md, CLAUDE.md, .github/copilot-instructions.md, .cursor/rules and the like)');
    // What the CLI prints for it (plan and run): one sentence, one pair of parentheses.
    const line = decisionSummary(none);
    assert.equal((line.match(/\(/g) ?? []).length, 1, line);
    assert.doesNotMatch(line, /none found \(/);
    const root = tmp.make('af-rules-line-');
    write(root, { 'AGENTS.md': 'Use tabs.\n' });
    assert.equal(rulesDecision(await new ProjectRulesSource(true).load(root)).reason, 'read 1 project rule file, 9 characters');
  });

  it('front matter: quoted values, comma lists, bracket lists and YAML lists; Cursor\'s unquoted globs', () => {
    assert.deepEqual(frontMatter('---\napplyTo: "**/*.ts,**/*.tsx"\n---\nbody').meta, { applyTo: '**/*.ts,**/*.tsx' });
    assert.deepEqual(frontMatter('---\nglobs:\n  - "src/**"\n  - lib/*.js\n---\n').meta, { globs: ['src/**', 'lib/*.js'] });
    assert.deepEqual(frontMatter('---\nglobs: *.ts\n---\nx').body, 'x');
    assert.deepEqual(frontMatter('no front matter\n---\n'), { meta: {}, body: 'no front matter\n---\n' });
  });
});

describe('replan: the updater is given the failing task\'s rules', () => {
  it('updaterMessages holds the rules section after the plan, before the instruction', () => {
    const plan = { goal: 'g', tasks: [{ id: 'api', title: 'API', objective: 'o', role: 'developer', deps: [], files: ['src/api/r.py'], acceptance: [] }] };
    const req = { plan, taskId: 'api', editable: ['api'], statuses: {}, summaries: {}, reason: 'failed', findings: [], attempts: 2 };
    const rule = { path: 'src/api/AGENTS.md', scope: { kind: 'dir' as const, dir: 'src/api', name: 'AGENTS.md' }, text: 'API-AGENTS: JSON only.' };
    const text = String(updaterMessages(req, [rule])[1]?.content);
    assert.match(text, /# Project rules[\s\S]*API-AGENTS: JSON only\.\n\nCall submit_update/);
    assert.doesNotMatch(String(updaterMessages(req)[1]?.content), /Project rules/);
  });
});
