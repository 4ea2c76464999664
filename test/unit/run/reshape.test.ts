import { strict as assert } from 'node:assert';
import { DagState } from '../../../src/core/run/dagState';

describe('run/dagState: reshape after a local update', () => {
  it('keeps the state of untouched nodes, resets the changed ones, adds new ones, drops removed ones; the held task is requeued', () => {
    // a -> c -> d, b -> e; a and b done, c running (it failed and asked for an update).
    const dag = new DagState([
      { id: 'a', deps: [] },
      { id: 'b', deps: [] },
      { id: 'c', deps: ['a'] },
      { id: 'd', deps: ['c'] },
      { id: 'e', deps: ['b'] },
    ]);
    dag.start('a');
    dag.start('b');
    dag.complete('a');
    dag.complete('b');
    dag.start('c');
    dag.start('e');
    // The update splits c: a new task c0 (after a) that c now waits for; d is reset; e keeps running.
    const r = dag.reshape(
      [
        { id: 'a', deps: [] },
        { id: 'b', deps: [] },
        { id: 'c0', deps: ['a'] },
        { id: 'c', deps: ['a', 'c0'] },
        { id: 'd', deps: ['c'] },
        { id: 'e', deps: ['b'] },
      ],
      ['c', 'c0', 'd'],
      'c',
    );
    assert.deepEqual(r, { ready: ['c0'], blocked: [] });
    assert.deepEqual(['a', 'b', 'c', 'c0', 'd', 'e'].map((id) => dag.stateOf(id)), ['done', 'done', 'running', 'ready', 'pending', 'running']);
    assert.equal(dag.requeue('c'), 'pending', 'c waits for c0 now');
    dag.start('c0');
    assert.deepEqual(dag.complete('c0'), ['c']);
    assert.equal(dag.requeue('gone'), 'gone');
  });

  it('a held task whose new dependency failed is blocked; a removed task is gone', () => {
    const dag = new DagState([
      { id: 'x', deps: [] },
      { id: 'y', deps: [] },
    ]);
    dag.start('x');
    dag.start('y');
    dag.fail('x');
    dag.reshape([{ id: 'x', deps: [] }, { id: 'y', deps: ['x'] }], ['y'], 'y');
    assert.equal(dag.requeue('y'), 'blocked');
    dag.reshape([{ id: 'x', deps: [] }], [], undefined);
    assert.equal(dag.requeue('y'), 'gone');
  });
});
