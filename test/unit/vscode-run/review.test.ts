import { strict as assert } from 'node:assert';
import type { TaskPatch } from '../../../src/core/run/patch';
import { parseProposedUri, parseReviewUri, proposedUriParts, PROPOSED_SCHEME, REVIEW_SCHEME, reviewUriParts } from '../../../src/vscode/review/proposedUri';
import { decide, isOpen, pendingFiles } from '../../../src/core/run/patchReview';

function patch(paths: string[]): TaskPatch {
  return {
    version: 1, runId: 'r1', taskId: 't1', state: 'proposed',
    files: paths.map((path) => ({ path, change: 'created', baseHash: null, before: null, after: `${path}\n`, diff: '' })),
  } satisfies TaskPatch;
}

describe('review: proposed document addresses', () => {
  const RUN = '20250101-000000-000-abcdef';

  it('round-trips run, task, nested path and side; the URI path is the workspace file\'s own (a modification, not a rename)', () => {
    const parts = proposedUriParts({ runId: RUN, taskId: 'gui_2', path: 'src/a b/c.py', side: 'after' }, '/home/u/proj/src/a b/c.py');
    assert.equal(parts.scheme, PROPOSED_SCHEME);
    assert.equal(parts.path, '/home/u/proj/src/a b/c.py', 'the same path as file:///home/u/proj/src/a b/c.py');
    assert.deepEqual(parseProposedUri(parts), { runId: RUN, taskId: 'gui_2', path: 'src/a b/c.py', side: 'after' });
    const yours = proposedUriParts({ runId: RUN, taskId: 'gui_2', path: 'c.py', side: 'yours' }, '/c:/proj/c.py');
    assert.equal(parseProposedUri(yours)?.side, 'yours');
  });

  it('refuses to build an address whose path is not the file it names', () => {
    assert.throws(() => proposedUriParts({ runId: RUN, taskId: 't', path: 'a.py', side: 'after' }, '/proj/b.py'), RangeError);
  });

  it('rejects other schemes, incomplete queries and forged paths', () => {
    assert.equal(parseProposedUri({ scheme: 'file', path: '/p/a.py', query: 'run=r&task=t&side=after&path=a.py' }), undefined);
    assert.equal(parseProposedUri({ scheme: PROPOSED_SCHEME, path: '/p/a.py', query: 'run=r&side=after&path=a.py' }), undefined);
    assert.equal(parseProposedUri({ scheme: PROPOSED_SCHEME, path: '/p/a.py', query: 'run=r&task=t&side=left&path=a.py' }), undefined);
    assert.equal(parseProposedUri({ scheme: PROPOSED_SCHEME, path: '/p/a.py', query: 'run=r&task=t&side=after' }), undefined, 'no workspace-relative path');
    // The query names one file, the path shows another: refused, so a document cannot pose as another file.
    assert.equal(parseProposedUri({ scheme: PROPOSED_SCHEME, path: '/p/evil.py', query: 'run=r&task=t&side=after&path=a.py' }), undefined);
    assert.equal(parseProposedUri({ scheme: PROPOSED_SCHEME, path: '/p/xa.py', query: 'run=r&task=t&side=after&path=a.py' }), undefined, 'a suffix of a name is not the name');
    assert.equal(parseProposedUri({ scheme: PROPOSED_SCHEME, path: '/etc/passwd', query: 'run=r&task=t&side=after&path=../etc/passwd' }), undefined);
  });

  it('review addresses name a run and, optionally, its tasks; anything else is refused', () => {
    const all = reviewUriParts({ runId: RUN });
    assert.equal(all.scheme, REVIEW_SCHEME);
    assert.deepEqual(parseReviewUri(all), { runId: RUN });
    assert.deepEqual(parseReviewUri(reviewUriParts({ runId: RUN, taskIds: ['a', 'b_2'] })), { runId: RUN, taskIds: ['a', 'b_2'] });
    assert.equal(parseReviewUri({ scheme: REVIEW_SCHEME, path: '/../../x', query: '' }), undefined);
    assert.equal(parseReviewUri({ scheme: REVIEW_SCHEME, path: `/${RUN}`, query: 'tasks=a,B%2F' }), undefined);
    assert.equal(parseReviewUri({ scheme: PROPOSED_SCHEME, path: `/${RUN}`, query: '' }), undefined);
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
