import { strict as assert } from 'node:assert';
import { checkWorkspacePath, isProtectedPath, normalizeWorkspacePath } from '../../../src/core/plan';

describe('plan paths', () => {
  it('normalises ./, backslashes, inner .. and trailing slashes', () => {
    assert.equal(normalizeWorkspacePath('./a.py'), 'a.py');
    assert.equal(normalizeWorkspacePath('src\\pkg\\mod.py'), 'src/pkg/mod.py');
    assert.equal(normalizeWorkspacePath('src/./x/../y.ts'), 'src/y.ts');
    assert.equal(normalizeWorkspacePath('docs//index.md/'), 'docs/index.md');
  });

  it('refuses absolute paths in every spelling', () => {
    for (const p of ['/etc/passwd', 'C:\\x\\y', 'c:/x', 'C:x', '\\\\server\\share\\f', '//server/share']) {
      const check = checkWorkspacePath(p);
      assert.equal(check.ok, false, p);
      assert.equal(!check.ok && check.problem, 'absolute-path', p);
    }
  });

  it('refuses .. that escapes the root, but not .. that stays inside', () => {
    for (const p of ['../x', 'a/../../x', '..', 'a\\..\\..\\x']) {
      const check = checkWorkspacePath(p);
      assert.equal(!check.ok && check.problem, 'escaping-path', p);
    }
    assert.equal(normalizeWorkspacePath('a/b/../../c'), 'c');
  });

  it('refuses the root itself and NUL characters', () => {
    for (const p of ['', '.', './', 'a/..', 'a\0b']) {
      const check = checkWorkspacePath(p);
      assert.equal(!check.ok && check.problem, 'invalid-path', JSON.stringify(p));
    }
  });

  it('protects the design.md globs at any depth, ignoring case', () => {
    const protectedPaths = [
      '.git/config', '.git', 'sub/.GIT/HEAD', '.vscode/settings.json', 'a/b/.VSCode/launch.json',
      'my.code-workspace', 'x/Team.Code-Workspace', '.github/workflows/ci.yml', 'pkg/.github/workflows/x.yml',
      '.env', '.env.local', 'app/.ENV.production', '.envrc', '.env/bin/python', '.agensflow/policy.json', 'w/.agensflow',
      // Windows opens `.git.` and `.git ` as `.git`, and `name::$DATA` as the file itself.
      '.git./config', '.vscode /settings.json', '.env::$DATA',
    ];
    for (const p of protectedPaths) {
      assert.equal(isProtectedPath(p), true, p);
      const check = checkWorkspacePath(p);
      assert.equal(!check.ok && check.problem, 'protected-path', p);
    }
    assert.equal(isProtectedPath('.\\.git\\config'), true);
  });

  it('leaves look-alikes alone', () => {
    for (const p of ['.gitignore', '.github/ISSUE_TEMPLATE/bug.md', 'env.py', 'src/environment.ts', 'vscode/x.ts', 'workspace.json', 'git/notes.md']) {
      assert.equal(isProtectedPath(p), false, p);
      assert.equal(normalizeWorkspacePath(p), p);
    }
  });
});
