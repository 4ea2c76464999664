import { strict as assert } from 'node:assert';
import { WriteGuard } from '../../../src/core/run/writeGuard';
import { interruptHandler } from '../../../src/cli/interrupt';

describe('cli/interrupt: Ctrl+C never quits in the middle of applying a patch', () => {
  function setup() {
    const log: string[] = [];
    const writes = new WriteGuard();
    const handler = interruptHandler({ cancel: () => log.push('cancel'), exit: (c) => log.push(`exit ${c}`), writes, say: (l) => log.push(l), finishHint: '`agensflow apply R`' });
    return { log, writes, handler };
  }

  it('first Ctrl+C cancels; a second one during an apply waits for the patch and its journal entry, then exits 130', async () => {
    const { log, writes, handler } = setup();
    let finish!: () => void;
    const applying = writes.run(() => new Promise<void>((r) => (finish = r)));
    handler();
    assert.deepEqual(log, ['cancelling (press Ctrl+C again to quit)...', 'cancel']);
    handler();
    assert.match(log.at(-1) as string, /finishing the patch being applied \(all or nothing\) and recording it, then quitting/);
    assert.ok(!log.includes('exit 130'), 'did not quit mid-apply');
    finish();
    await applying;
    await writes.idle();
    await new Promise((r) => setImmediate(r));
    assert.equal(log.at(-1), 'exit 130');
  });

  it('a second Ctrl+C with nothing being applied quits at once; a third during an apply quits and says how to finish it', async () => {
    const idle = setup();
    idle.handler();
    idle.handler();
    assert.equal(idle.log.at(-1), 'exit 130');
    const busy = setup();
    void busy.writes.run(() => new Promise<void>(() => undefined));
    busy.handler();
    busy.handler();
    busy.handler();
    assert.match(busy.log.at(-2) as string, /a patch was cut off while being applied; `agensflow apply R` finishes it/);
    assert.equal(busy.log.at(-1), 'exit 130');
  });
});
