import assert from 'node:assert/strict';
import { workbenchUrl } from '../../../test/host/lib/codeServer';
import { stepVerdict } from '../../../test/host/lib/steps';

describe('host scripts: step verdicts and workbench URLs', () => {
  it('passes only a run that reached every step without a failure; a run cut short counts one failure at least', () => {
    assert.deepEqual(stepVerdict([true, true, true], 3), { ok: true, line: '3 passed, 0 failed' });
    assert.deepEqual(stepVerdict([true, false], 3), { ok: false, line: '1 passed, 1 failed' });
    assert.deepEqual(stepVerdict([true, true], 3), { ok: false, line: '2 passed, 1 failed' });
    assert.deepEqual(stepVerdict([], 3), { ok: false, line: '0 passed, 1 failed' });
  });

  it('puts the development path, and the suite only when given, in the payload as remote URIs', () => {
    const payload = (url: string): unknown => JSON.parse(new URL(url).searchParams.get('payload') ?? 'null');
    assert.equal(payload(workbenchUrl(8080, '/ws')), null);
    assert.equal(new URL(workbenchUrl(8080, '/ws')).searchParams.get('folder'), '/ws');
    assert.deepEqual(payload(workbenchUrl(8080, '/ws', { extensionDevelopmentPath: '/ext' })), [['extensionDevelopmentPath', 'vscode-remote://127.0.0.1:8080/ext']]);
    assert.deepEqual(payload(workbenchUrl(8080, '/ws', { extensionDevelopmentPath: '/ext', extensionTestsPath: '/ext/out/test' })), [
      ['extensionDevelopmentPath', 'vscode-remote://127.0.0.1:8080/ext'],
      ['extensionTestsPath', 'vscode-remote://127.0.0.1:8080/ext/out/test'],
    ]);
  });
});
