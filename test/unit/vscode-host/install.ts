/**
 * Makes `require('vscode')` load the stand-in of ./fakeVscode.ts (the real module exists only inside an
 * extension host). Import this file before anything from src/vscode; no other unit test imports `vscode`.
 */
import Module from 'node:module';

const fake = require.resolve('./fakeVscode');
const mod = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const original = mod._resolveFilename;
if (!(original as { agensflowFake?: boolean }).agensflowFake) {
  const patched = function (this: unknown, request: string, ...rest: unknown[]): string {
    return request === 'vscode' ? fake : original.call(this, request, ...rest);
  };
  (patched as { agensflowFake?: boolean }).agensflowFake = true;
  mod._resolveFilename = patched;
}
