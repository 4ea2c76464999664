import { strict as assert } from 'node:assert';
import { attributeCheckFailure, mentionsFile } from '../../../src/core/run/attribution';

describe('run: attributing a failing test command to tasks', () => {
  it('mentionsFile: a path as itself or the end of a longer path, never part of another name', () => {
    assert.ok(mentionsFile('  File "/home/u/ws/gobang/ai.py", line 3, in move', 'gobang/ai.py'));
    assert.ok(mentionsFile('    at add (/ws/src/lib.js:2:9)', 'src/lib.js'));
    assert.ok(mentionsFile('file:///ws/src/lib.js:2', 'src/lib.js'));
    assert.ok(mentionsFile('FAILED tests/test_board.py::test_win - assert 0', 'tests/test_board.py'));
    assert.ok(mentionsFile('src\\lib.js(3,1): error', 'src/lib.js'));
    assert.ok(mentionsFile('error in lib.js.', 'lib.js'), 'a sentence\'s full stop ends the name');
    assert.ok(!mentionsFile('/ws/gobang/ai.pyc', 'gobang/ai.py'));
    assert.ok(!mentionsFile('/ws/my_gobang/ai.py', 'gobang/ai.py'));
    assert.ok(!mentionsFile('/ws/gobang/ai.py.bak', 'gobang/ai.py'));
    assert.ok(!mentionsFile('/ws/gobang/ai.py/x', 'gobang/ai.py'));
    assert.ok(!mentionsFile('sublib.js failed', 'lib.js'));
  });

  it('names win; the changed tasks (with files) are the fallback, in plan order', () => {
    const tasks = [
      { id: 'a', files: ['a.py'] },
      { id: 'b', files: ['pkg/b.py', 'pkg/c.py'] },
      { id: 'r', files: [] },
    ];
    assert.deepEqual(attributeCheckFailure([{ message: 'x' }], 'Traceback:\n  File "/ws/pkg/c.py", line 1', tasks, new Set(['a', 'b'])), [{ taskId: 'b', by: 'output', files: ['pkg/c.py'] }]);
    assert.deepEqual(attributeCheckFailure([{ file: 'a.py', message: 'boom' }], '', tasks, new Set()), [{ taskId: 'a', by: 'output', files: ['a.py'] }]);
    assert.deepEqual(attributeCheckFailure([{ message: '1 failed' }], 'no paths here', tasks, new Set(['r', 'b', 'a'])), [
      { taskId: 'a', by: 'changed', files: [] },
      { taskId: 'b', by: 'changed', files: [] },
    ]);
    assert.deepEqual(attributeCheckFailure([{ message: '1 failed' }], '', tasks, new Set()), []);
  });
});
