import type * as vscode from 'vscode';

/** Anything with a `dispose()`: VS Code's disposables and ours. */
export type IDisposable = Pick<vscode.Disposable, 'dispose'>;

/**
 * Base class for an owner of disposables (the habit of vscode-pull-request-github's `lifecycle.ts`):
 * everything a component creates is handed to `_register`, and disposing the component disposes them all,
 * newest first, exactly once. A registration after disposal is disposed at once, so a late async callback
 * cannot leak a listener.
 *
 * Imports `vscode` for types only, so the class is unit-tested in plain Node.
 */
export abstract class Disposable implements IDisposable {
  private readonly _disposables: IDisposable[] = [];
  private _isDisposed = false;

  /** True once {@link dispose} has run. */
  protected get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Takes ownership of `value`: it is disposed with this object. Returns `value` for chaining. */
  protected _register<T extends IDisposable>(value: T): T {
    if (this._isDisposed) {
      value.dispose();
    } else {
      this._disposables.push(value);
    }
    return value;
  }

  /** Disposes every registered value (newest first); one that throws does not stop the others. */
  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    disposeAll(this._disposables.splice(0).reverse());
  }
}

/** An error from one or more `dispose()` calls, thrown after all of them ran. */
export class DisposeError extends Error {
  override readonly name = 'DisposeError';
  constructor(readonly errors: readonly unknown[]) {
    super(`${errors.length} disposable(s) failed to dispose`);
  }
}

/** Disposes each value in order; collects failures and throws one {@link DisposeError} at the end. */
export function disposeAll(values: Iterable<IDisposable>): void {
  const errors: unknown[] = [];
  for (const value of values) {
    try {
      value.dispose();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length > 0) throw new DisposeError(errors);
}

/** A disposable that runs `fn` once. */
export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}
