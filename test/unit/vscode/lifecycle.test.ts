import { strict as assert } from 'node:assert';
import { Disposable, DisposeError, disposeAll, toDisposable, type IDisposable } from '../../../src/vscode/lifecycle';

class Owner extends Disposable {
  own<T extends IDisposable>(d: T): T {
    return this._register(d);
  }
  get disposed(): boolean {
    return this.isDisposed;
  }
}

describe('Disposable', () => {
  it('disposes what it owns once, newest first', () => {
    const order: string[] = [];
    const owner = new Owner();
    owner.own(toDisposable(() => order.push('first')));
    owner.own(toDisposable(() => order.push('second')));
    owner.dispose();
    owner.dispose();
    assert.deepEqual(order, ['second', 'first']);
    assert.equal(owner.disposed, true);
  });

  it('disposes a registration made after disposal at once', () => {
    const owner = new Owner();
    owner.dispose();
    let disposed = false;
    owner.own(toDisposable(() => (disposed = true)));
    assert.equal(disposed, true);
  });

  it('disposes the rest when one throws, then reports the failure', () => {
    const owner = new Owner();
    let later = false;
    owner.own(toDisposable(() => (later = true)));
    owner.own({ dispose: () => { throw new Error('boom'); } });
    assert.throws(() => owner.dispose(), (e: unknown) => e instanceof DisposeError && e.errors.length === 1);
    assert.equal(later, true);
  });
});

describe('disposeAll / toDisposable', () => {
  it('runs a toDisposable callback only once', () => {
    let n = 0;
    const d = toDisposable(() => n++);
    disposeAll([d, d]);
    assert.equal(n, 1);
  });
});
