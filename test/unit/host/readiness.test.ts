import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActivationSignalError, activationTimes, extensionHostLogFiles, hasActivated, printFailureContext, waitForActivation } from '../../../test/host/lib/readiness';
import { createLogger, type LogSink } from '../../../src/vscode/log';
import { activatedMessage } from '../../../src/vscode/readiness';

/** A log sink that writes lines as VS Code's LogOutputChannel writes its file: `<time> [info] <message>`. */
function fileSink(file: string): LogSink {
  const write = (level: string) => (m: string): void => fs.appendFileSync(file, `2026-12-06 23:40:01.123 [${level}] ${m}\n`);
  return { trace: write('trace'), debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

describe('host drivers: the extension\'s activation signal', () => {
  let userData: string;
  let logFile: string;
  beforeEach(() => {
    userData = fs.mkdtempSync(path.join(os.tmpdir(), 'agensflow-ready-'));
    // Where code-server 4.96.4 puts an extension's LogOutputChannel file.
    const dir = path.join(userData, 'logs', '20261206T234000', 'exthost1', 'agensflow.agensflow');
    fs.mkdirSync(dir, { recursive: true });
    logFile = path.join(dir, 'AgensFlow.log');
    fs.writeFileSync(path.join(userData, 'logs', '20261206T234000', 'exthost1', 'remoteexthost.log'), 'ExtensionService#_doActivateExtension agensflow.agensflow\n');
  });
  afterEach(() => fs.rmSync(userData, { recursive: true, force: true }));

  it('sees the line the extension logs at the end of activate(), and only for the extension it asks about', async () => {
    const log = createLogger(fileSink(logFile), 'extension');
    log.info('activating agensflow.agensflow 0.1.0 (VS Code 1.96.4)');
    assert.equal(hasActivated(userData), false);
    const waiting = waitForActivation(userData, 10_000);
    log.info(activatedMessage('agensflow.agensflow', { totalMs: 42.4, loadMs: 1.2, waitMs: 38.1, activateMs: 3.1 }));
    assert.deepEqual([...activationTimes(userData).values()], [{ totalMs: 42.4, loadMs: 1.2, waitMs: 38.1, activateMs: 3.1 }]);
    await waiting;
    assert.equal(hasActivated(userData), true);
    assert.equal(hasActivated(userData, 'other.extension'), false);
    // A component's child logger saying "activated" is not the signal.
    fs.writeFileSync(logFile, '2026-12-06 23:40:01.123 [info] [extension/run] activated agensflow.agensflow in 3 ms\n');
    assert.equal(hasActivated(userData), false);
  });

  it('names the missing signal and the log\'s last line when activation never finished', async () => {
    createLogger(fileSink(logFile), 'extension').info('activating agensflow.agensflow 0.1.0 (VS Code 1.96.4)');
    await assert.rejects(waitForActivation(userData, 300), (e: unknown) => {
      assert.ok(e instanceof ActivationSignalError);
      assert.match(e.message, /never reported activation/);
      assert.match(e.message, /"\[extension\] activated agensflow\.agensflow" line/);
      assert.match(e.message, /ends with: .*activating agensflow\.agensflow/);
      return true;
    });
  });

  it('says when no extension log was written at all', async () => {
    await assert.rejects(waitForActivation(userData, 200), /no AgensFlow log was written/);
  });

  it('prints the screenshot name and the tails of the extension and extension-host logs on failure', () => {
    createLogger(fileSink(logFile), 'extension').info('activating agensflow.agensflow 0.1.0 (VS Code 1.96.4)');
    assert.equal(extensionHostLogFiles(userData).length, 1);
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      printFailureContext(userData, ['/tmp/shot.png']);
    } finally {
      process.stderr.write = original;
    }
    const out = written.join('');
    assert.match(out, /screenshot of the failure: .*shot\.png/);
    assert.match(out, /agensflow\.agensflow\/AgensFlow\.log -----\n.*activating agensflow\.agensflow/);
    assert.match(out, /remoteexthost\.log -----\n.*_doActivateExtension agensflow\.agensflow/);
  });
});
