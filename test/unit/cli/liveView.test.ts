import { strict as assert } from 'node:assert';
import type { RunEvent } from '../../../src/core/run/events';
import { LiveView } from '../../../src/cli/runOutput';

const at = (ts: number) => ({ runId: 'r', ts });

describe('cli: the plain live view follows tool calls', () => {
  it('prints one line per tool call from its summary (a failure with its error), not the diff; none for finish', () => {
    const out: string[] = [];
    const view = new LiveView((t) => out.push(t));
    const events: RunEvent[] = [
      { type: 'agent.tool', taskId: 't1', tool: 'search', ok: true, summary: 'search "subtotal" → 2 matches in 2 files', ...at(1) },
      { type: 'agent.tool', taskId: 't1', tool: 'edit_file', path: 'a.py', ok: true, summary: 'edit a.py (+2 −1)', diff: '@@ -1 +1 @@\n-a\n+b\n', ...at(2) },
      { type: 'agent.tool', taskId: 't1', tool: 'edit_file', path: 'a.py', ok: false, error: 'a.py: edit 1: old_string was not found', ...at(3) },
      { type: 'agent.tool', taskId: 't1', tool: 'finish', ok: true, summary: 'finish', ...at(4) },
    ];
    for (const e of events) view.onEvent(e);
    view.stop();
    assert.deepEqual(out, [
      '  t1: search "subtotal" → 2 matches in 2 files\n',
      '  t1: edit a.py (+2 −1)\n',
      '  t1: edit_file a.py failed: a.py: edit 1: old_string was not found\n',
    ]);
  });
});
