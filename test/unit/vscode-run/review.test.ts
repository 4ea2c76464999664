import { strict as assert } from 'node:assert';
import type { TaskPatch } from '../../../src/core/run/patch';
import { parseProposedUri, proposedUriParts, PROPOSED_SCHEME } from '../../../src/vscode/review/proposedUri';
import { decide, isOpen, pendingFiles } from '../../../src/core/run/patchReview';

function patch(paths: string[]): TaskPatch {
  return {
    version: 1, runId: 'r1', taskId: 't1', state: 'proposed',
    files: paths.map((path) => ({ path, change: 'created', baseHash: null, before: null, after: `${path}\n`, diff: '' })),
  } satisfies TaskPatch;
}

describe('review: proposed document addresses', () => {
  it('round-trips run, task, nested path and side, and names the file first', () => {
    const parts = proposedUriParts({ runId: '20250101-000000-000-abcdef', taskId: 'gui_2', path: 'src/a b/c.py', side: 'after' });
    assert.equal(parts.scheme, PROPOSED_SCHEME);
    assert.equal(parts.path, '/src/a b/c.py');
    assert.deepEqual(parseProposedUri(parts), { runId: '20250101-000000-000-abcdef', taskId: 'gui_2', path: 'src/a b/c.py', side: 'after' });
  });

  it('rejects other schemes and incomplete queries', () => {
    assert.equal(parseProposedUri({ scheme: 'file', path: '/a.py', query: 'run=r&task=t&side=after' }), undefined);
    assert.equal(parseProposedUri({ scheme: PROPOSED_SCHEME, path: '/a.py', query: 'run=r&side=after' }), undefined);
    assert.equal(parseProposedUri({ scheme: PROPOSED_SCHEME, path: '/a.py', query: 'run=r&task=t&side=left' }), undefined);
    assert.equal(parseProposedUri({ scheme: PROPOSED_SCHEME, path: '/', query: 'run=r&task=t&side=after' }), undefined);
  });
});

describe('review: per-file decisions', () => {
  it('keeps the patch proposed until every file is decided, then applied if any file was', () => {
    const p = patch(['a.py', 'b.py', 'c.py']);
    assert.equal(decide(p, ['a.py'], 'applied'), 'proposed');
    assert.deepEqual(pendingFiles(p).map((f) => f.path), ['b.py', 'c.py']);
    assert.equal(decide(p, ['b.py'], 'rejected'), 'proposed');
    assert.equal(decide(p, ['c.py'], 'rejected'), 'applied');
    assert.equal(isOpen(p), false);
    assert.deepEqual(pendingFiles(p), []);
  });

  it('is rejected when every file was rejected, and clears a conflict reason', () => {
    const p = patch(['a.py', 'b.py']);
    p.state = 'conflicted';
    p.reason = 'a.py changed since the run read it';
    assert.equal(isOpen(p), true);
    assert.equal(decide(p, ['a.py', 'b.py'], 'rejected'), 'rejected');
    assert.equal(p.reason, undefined);
  });

  it('limits pending files to the paths asked for, and decides an empty patch as asked', () => {
    const p = patch(['a.py', 'b.py']);
    assert.deepEqual(pendingFiles(p, ['b.py', 'zzz']).map((f) => f.path), ['b.py']);
    assert.equal(decide(patch([]), [], 'applied'), 'applied');
    assert.equal(decide(patch([]), [], 'rejected'), 'rejected');
  });
});
