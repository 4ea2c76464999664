import assert from 'node:assert/strict';
import type { RunEvent } from '../../../src/core/run/events';
import type { WebviewCommand } from '../../../src/protocol/messages';
import { applyEvent, applyEvents } from '../../../src/protocol/reducer';
import { emptyViewState } from '../../../src/protocol/viewState';
import { TaskDetails } from '../../../src/webview/taskDetails';
import { DANGEROUS, elementsWithHandlers, makeDocument } from './dom';
import { RUN_ID, sampleState } from './sampleRun';

const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '<svg onload=alert(1)>',
  '</textarea><a href="javascript:alert(1)">x</a>',
];

const at = (ts: number) => ({ runId: 'r', ts });

function setup() {
  const { document, root } = makeDocument();
  const posted: WebviewCommand[] = [];
  const details = new TaskDetails(root, (c) => posted.push(c));
  return { document, root, details, posted };
}

describe('webview: task details', () => {
  it('shows objective, role, model, acceptance, files, findings and decisions with every option', () => {
    const { root, details } = setup();
    details.update(sampleState(), 'save');
    const text = root.textContent ?? '';
    assert.match(text, /Save and load games/);
    assert.match(text, /python developer/);
    assert.match(text, /claude-sonnet-4 \(save#1, attempt 2\)/);
    assert.match(text, /NameError: name 'json' is not defined/);
    assert.match(text, /gobang\/save\.py:42/);
    assert.match(text, /\.env refused: protected path/);
    assert.match(text, /second failure of the same task: re-plan it locally/);
    const rows = [...root.querySelectorAll('.decision-options li')].map((r) => r.textContent);
    assert.ok(rows.some((r) => r?.startsWith('retry')) && rows.some((r) => r?.startsWith('replan')));
    assert.deepEqual([...root.querySelectorAll('.decision-option.chosen .option-id')].map((e) => e.textContent), ['claude-sonnet-4', 'replan']);
    // Figures are key/value pairs of each option (no table to overflow the pane).
    assert.ok(rows.some((r) => r === 'replanp 0.580'), rows.join(' | '));
  });

  it('posts openDiff for a staged file and Accept/Reject for the task', () => {
    const { root, details, posted } = setup();
    details.update(sampleState(), 'board');
    (root.querySelector('.file-link') as HTMLElement).click();
    const [accept, reject] = [...root.querySelectorAll('.details-actions button')] as HTMLButtonElement[];
    assert.equal(accept.disabled, false);
    accept.click();
    reject.click();
    assert.deepEqual(posted, [
      { type: 'openDiff', taskId: 'board', path: 'gobang/board.py' },
      { type: 'acceptTask', taskId: 'board' },
      { type: 'rejectTask', taskId: 'board' },
    ]);
  });

  it('a failed task offers Retry once the run is over and Edit Task…; its updater error is shown once', () => {
    const { root, details, posted } = setup();
    const failing = applyEvent(sampleState(), { type: 'task.status', taskId: 'save', status: 'failed', runId: RUN_ID, ts: 9e12,
      reason: 'verification failed: NameError; no valid update: all 3 candidates: Connection error' });
    details.update(failing, 'save');
    const labels = () => [...root.querySelectorAll('.details-actions button')].map((b) => b.textContent);
    assert.deepEqual(labels(), ['Retry', 'Edit Task…', 'Accept', 'Reject']);
    const retry = () => root.querySelector('.details-actions button') as HTMLButtonElement;
    assert.equal(retry().disabled, true, 'not while the run is going');
    const over = applyEvent(failing, { type: 'run.finished', runId: RUN_ID, ts: 9e12 + 1, exitCode: 1, status: 'failed' });
    details.update(over, 'save');
    assert.equal(retry().disabled, false);
    retry().click();
    ([...root.querySelectorAll('.details-actions button')][1] as HTMLButtonElement).click();
    assert.deepEqual(posted, [{ type: 'retryTask', taskId: 'save' }, { type: 'editTask', taskId: 'save' }]);
    assert.equal((root.querySelector('.status-reason')?.textContent ?? '').split('Connection error').length - 1, 1);
    // A task that passed has neither.
    details.update(over, 'board');
    assert.deepEqual(labels(), ['Accept', 'Reject']);
  });

  it('disables Accept/Reject once the patch is applied, and offers Undo Accept (posting undoAccept)', () => {
    const { root, details, posted } = setup();
    details.update(sampleState(), 'spec');
    const buttons = [...root.querySelectorAll('.details-actions button:not(.undo-action)')] as HTMLButtonElement[];
    assert.equal(buttons.length, 2);
    assert.ok(buttons.every((b) => b.disabled));
    const undo = root.querySelector('.details-actions .undo-action') as HTMLButtonElement;
    assert.equal(undo.textContent, 'Undo Accept');
    assert.equal(undo.disabled, false);
    undo.click();
    assert.deepEqual(posted, [{ type: 'undoAccept', taskId: 'spec' }]);
  });

  it('offers Undo Reject for a rejected patch, and no undo while the patch waits for review', () => {
    const { root, details, posted } = setup();
    details.update(sampleState(), 'board');
    assert.equal(root.querySelector('.details-actions .undo-action'), null, 'nothing to undo on a proposed patch');
    details.update(applyEvent(sampleState(), { type: 'patch', taskId: 'board', state: 'rejected', files: ['gobang/board.py'], runId: RUN_ID, ts: 9e12 }), 'board');
    const undo = root.querySelector('.details-actions .undo-action') as HTMLButtonElement;
    assert.equal(undo.textContent, 'Undo Reject');
    undo.click();
    assert.deepEqual(posted, [{ type: 'undoReject', taskId: 'board' }]);
  });

  it('a conflicted patch offers its next steps: Resolve in Merge Editor and Re-run on My Version', () => {
    const { root, details, posted } = setup();
    details.update(sampleState(), 'board');
    assert.equal(root.querySelectorAll('.conflict-action').length, 0);
    details.update(applyEvent(sampleState(), { type: 'patch', taskId: 'board', state: 'conflicted', files: ['gobang/board.py'], reason: 'overlap', runId: RUN_ID, ts: 9e12 }), 'board');
    const [resolve, rerun] = [...root.querySelectorAll('.conflict-action')] as HTMLButtonElement[];
    assert.equal(resolve?.textContent, 'Resolve in Merge Editor');
    assert.equal(rerun?.textContent, 'Re-run on My Version');
    resolve?.click();
    rerun?.click();
    assert.deepEqual(posted, [{ type: 'resolveConflict', taskId: 'board' }, { type: 'rerunTask', taskId: 'board' }]);
  });

  it('renders hostile strings in title, objective, acceptance, log, findings and decisions as text only', () => {
    const { root, details } = setup();
    const plan = { tasks: [{ id: 'evil', title: HOSTILE[0], objective: HOSTILE[1], role: HOSTILE[2], deps: [], files: ['a.txt'], acceptance: HOSTILE }] };
    const state = applyEvents(emptyViewState(), [
      { type: 'run.started', dir: '/w', goal: HOSTILE[3], runId: 'r', ts: 1 },
      { type: 'plan.ready', plan, runId: 'r', ts: 2 },
      { type: 'agent.text', taskId: 'evil', delta: `\u001b[31m${HOSTILE.join('\n')}\u001b[0m`, runId: 'r', ts: 3 },
      { type: 'file.staged', taskId: 'evil', path: 'a.txt', change: 'created', bytes: 1, runId: 'r', ts: 4 },
      { type: 'task.verified', taskId: 'evil', outcome: 'failed', findings: [{ message: HOSTILE[0], file: HOSTILE[2] }], runId: 'r', ts: 5 },
      { type: 'decision', taskId: 'evil', point: HOSTILE[1], choice: HOSTILE[0], mode: 'rule', reason: HOSTILE[2], options: [{ id: HOSTILE[0], note: HOSTILE[3] }], runId: 'r', ts: 6 },
      { type: 'agent.tool', taskId: 'evil', tool: 'write_file', path: HOSTILE[0], ok: false, error: HOSTILE[1], runId: 'r', ts: 7 },
      { type: 'log', level: 'error', message: HOSTILE[0], runId: 'r', ts: 8 },
    ]);
    details.update(state, 'evil');
    assert.equal(root.querySelectorAll(DANGEROUS).length, 0);
    assert.equal(elementsWithHandlers(root).length, 0);
    assert.equal(root.querySelector('h2')?.textContent, HOSTILE[0]);
    assert.equal(root.querySelector('.agent-log')?.textContent, HOSTILE.join('\n'), 'ANSI stripped, markup kept as text');
    details.update(state, null);
    assert.equal(root.querySelectorAll(DANGEROUS).length, 0);
    assert.match(root.textContent ?? '', /<img src=x onerror=alert\(1\)>/);
  });

  it('appends streamed log text to the same element', () => {
    const { root, details } = setup();
    let state = sampleState();
    details.update(state, 'rules');
    const pre = root.querySelector('.agent-log');
    const before = pre?.textContent ?? '';
    state = applyEvent(state, { type: 'agent.text', taskId: 'rules', delta: 'return True\n', runId: RUN_ID, ts: 9e12 });
    details.update(state, 'rules');
    assert.equal(root.querySelector('.agent-log'), pre);
    assert.equal(pre?.textContent, `${before}return True\n`);
  });
});

describe('webview: task and run history', () => {
  const events: RunEvent[] = [
    { type: 'run.started', dir: '/w', goal: 'g', ...at(1000) },
    { type: 'plan.ready', plan: { tasks: [{ id: 'ai', title: 'AI', objective: 'o', role: 'dev', deps: [], files: ['ai.py'], acceptance: [] }] }, ...at(2000) },
    { type: 'agent.started', taskId: 'ai', role: 'dev', agent: 'a1', model: 'm', attempt: 1, ...at(3000) },
    { type: 'agent.text', taskId: 'ai', delta: 'first try', ...at(3500) },
    { type: 'task.verified', taskId: 'ai', outcome: 'failed', findings: [{ file: 'ai.py', line: 3, message: 'SyntaxError: expected an indented block' }], ...at(4000) },
    { type: 'decision', taskId: 'ai', point: 'recovery', choice: 'retry', mode: 'rule', reason: 'retry 1 of 1 with the findings fed back', options: [{ id: 'retry' }, { id: 'replan' }], ...at(4100) },
    { type: 'agent.started', taskId: 'ai', role: 'dev', agent: 'a1', model: 'm', attempt: 2, ...at(5000) },
    { type: 'agent.text', taskId: 'ai', delta: 'second try\n', ...at(5500) },
    { type: 'task.verified', taskId: 'ai', outcome: 'passed', findings: [], ...at(6000) },
    { type: 'task.status', taskId: 'ai', status: 'passed', ...at(6100) },
    { type: 'run.finished', status: 'completed', exitCode: 0, ...at(72_000) },
  ];

  it('shows a retried task\'s attempts, failed check and recovery decision in order, and marks the second attempt in its log', () => {
    const { root, details } = setup();
    details.update(applyEvents(emptyViewState(), events), 'ai');
    const history = [...root.querySelectorAll('.details-section')].find((s) => s.querySelector('h3')?.textContent === 'History');
    const lines = [...(history?.querySelectorAll('.run-log li') ?? [])].map((l) => l.querySelector('.log-message')?.textContent);
    assert.deepEqual(lines, [
      'started on m',
      'verification failed (1 finding): ai.py:3: SyntaxError: expected an indented block',
      'Trying the task again, with what the checks found fed back to the agent',
      'attempt 2 started on m',
      'passed',
    ]);
    assert.equal(history?.querySelector('.log-time')?.textContent, '+2s');
    assert.equal(root.querySelector('.agent-log')?.textContent, 'first try\n── attempt 2 (m) ──\nsecond try\n');
  });

  it('shows the run log, with task ids and times, in the run overview', () => {
    const { root, details } = setup();
    details.update(applyEvents(emptyViewState(), events), null);
    const items = [...root.querySelectorAll('.run-log li')];
    assert.equal(items.length, 8);
    assert.equal(items[0].textContent, '+0sRun started');
    assert.equal(items.at(-1)?.textContent, '+1m 11sRun completed (exit code 0)');
    assert.equal(items[2].querySelector('.log-task')?.textContent, 'ai');
    assert.match(root.textContent ?? '', /Plan ready: 1 task, 0 dependencies, depth 1/);
    assert.doesNotMatch(root.textContent ?? '', /Nothing logged yet|first try/);
  });
});

describe('webview: a goal typed over several lines', () => {
  it('heads the run overview with its first line and shows the rest as text below', () => {
    const { root, details } = setup();
    const state = applyEvents(emptyViewState(), [{ type: 'run.started', dir: '/w', goal: '\n  Gobang in Python  \n\nwith a Tkinter GUI\nand an AI', ...at(1) }]);
    details.update(state, null);
    assert.equal(root.querySelector('.details-title h2')?.textContent, 'Gobang in Python');
    assert.equal(root.querySelector('.details-header .objective')?.textContent, 'with a Tkinter GUI\nand an AI');
  });
});

describe('webview: task details actions', () => {
  it('offers only Reject for a failed task', () => {
    const { root, details } = setup();
    details.update(sampleState(), 'save');
    const [accept, reject] = [...root.querySelectorAll('.details-actions button')] as HTMLButtonElement[];
    assert.equal(accept.disabled, true);
    assert.equal(reject.disabled, false);
  });
});

describe('webview: tool calls shown legibly (search, read, edit, write)', () => {
  const plan = { tasks: [{ id: 'fix', title: 'Fix', objective: 'o', role: 'dev', deps: [], files: ['src/cart.py'], acceptance: [] }] };
  const diff = [
    '--- a/src/cart.py',
    '+++ b/src/cart.py',
    '@@ -10,4 +10,5 @@',
    ' def subtotal(items):',
    '-    return sum(i.price for i in items)',
    '+    total = sum(i.price * i.qty for i in items)',
    '+    return round(total, 2)',
    ' ',
    ' def tax(total):',
    '',
  ].join('\n');
  const events = (extra: RunEvent[] = []): RunEvent[] => [
    { type: 'run.started', dir: '/w', ...at(1) },
    { type: 'plan.ready', plan, ...at(2) },
    { type: 'agent.tool', taskId: 'fix', tool: 'search', ok: true, summary: 'search "def subtotal" → 1 match', ...at(3) },
    { type: 'agent.tool', taskId: 'fix', tool: 'read_file', path: 'src/cart.py', ok: true, summary: 'read src/cart.py:5-20', ...at(4) },
    { type: 'agent.tool', taskId: 'fix', tool: 'edit_file', path: 'src/cart.py', ok: true, summary: 'edit src/cart.py (+2 −1)', diff, ...at(5) },
    { type: 'agent.tool', taskId: 'fix', tool: 'write_file', path: 'tests/test_cart.py', ok: true, summary: 'write tests/test_cart.py (new file, 12 lines)', ...at(6) },
    { type: 'agent.tool', taskId: 'fix', tool: 'run_checks', ok: true, summary: 'run_checks: 1 problem in src/cart.py', ...at(6) },
    ...extra,
  ];

  it('shows the search pattern and hit count, the read range, the write and run_checks summaries, and the edit as a diff with line numbers (not JSON)', () => {
    const { root, details } = setup();
    details.update(applyEvents(emptyViewState(), events()), 'fix');
    const heads = [...root.querySelectorAll('.tool-calls .tool-head')].map((e) => e.textContent);
    assert.deepEqual(heads, [
      'search"def subtotal" → 1 match',
      'read_filesrc/cart.py:5-20',
      'edit_filesrc/cart.py (+2 −1)',
      'write_filetests/test_cart.py (new file, 12 lines)',
      'run_checks1 problem in src/cart.py',
    ]);
    const rows = [...root.querySelectorAll('.diff tbody tr')].map((r) => [r.className, [...r.querySelectorAll('td')].map((c) => c.textContent).join('|')]);
    assert.deepEqual(rows, [
      ['diff-line hunk', '@@ -10,4 +10,5 @@'],
      ['diff-line context', '10|10| |def subtotal(items):'],
      ['diff-line removed', '11||−|    return sum(i.price for i in items)'],
      ['diff-line added', '|11|+|    total = sum(i.price * i.qty for i in items)'],
      ['diff-line added', '|12|+|    return round(total, 2)'],
      ['diff-line context', '12|13| |'],
      ['diff-line context', '13|14| |def tax(total):'],
    ]);
    assert.equal(root.querySelectorAll('.diff-line.added').length, 2);
    assert.equal(root.querySelectorAll('.diff-line.removed').length, 1);
    assert.doesNotMatch(root.textContent ?? '', /old_string|new_string|\{"/, 'no tool arguments as JSON');
    // The diff is a disclosure (keyboard: its summary is focusable and toggles it) and starts open as the latest edit.
    const disclosure = root.querySelector('details.tool-diff') as HTMLDetailsElement;
    assert.equal(disclosure.open, true);
    assert.equal(disclosure.querySelector('summary')?.textContent, 'edit_filesrc/cart.py (+2 −1)');
    assert.equal(root.querySelector('.diff-scroll')?.getAttribute('tabindex'), '0');
    assert.equal(root.querySelector('.diff-scroll')?.getAttribute('aria-label'), 'Diff of edit src/cart.py (+2 −1)');
  });

  it('V1: an edit whose diff holds markup renders it as text: no element, no handler', () => {
    const { root, details } = setup();
    const evil = `--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-${HOSTILE[0]}\n+${HOSTILE[1]}\n ${HOSTILE[2]}\n@@ -9 +9 @@ ${HOSTILE[3]}\n\\ ${HOSTILE[1]}\n`;
    const state = applyEvents(emptyViewState(), events([
      { type: 'agent.tool', taskId: 'fix', tool: 'edit_file', path: HOSTILE[0], ok: true, summary: `edit ${HOSTILE[2]}`, diff: evil, ...at(7) },
    ]));
    details.update(state, 'fix');
    assert.equal(root.querySelectorAll(DANGEROUS).length, 0);
    assert.equal(elementsWithHandlers(root).length, 0);
    const texts = [...root.querySelectorAll('.diff-text')].map((e) => e.textContent);
    assert.ok(texts.includes(HOSTILE[1]) && texts.includes(HOSTILE[0]) && texts.includes(HOSTILE[2]), texts.join(' | '));
    assert.ok([...root.querySelectorAll('.tool-summary')].some((e) => e.textContent === HOSTILE[2]));
  });

  it('says how many lines of a diff the event bound left out', () => {
    const { root, details } = setup();
    const state = applyEvents(emptyViewState(), events([
      { type: 'agent.tool', taskId: 'fix', tool: 'write_file', path: 'src/cart.py', ok: true, summary: 'write src/cart.py (+400 −400)', diff, diffOmitted: 612, ...at(7) },
    ]));
    details.update(state, 'fix');
    assert.match(root.querySelector('.diff-omitted')?.textContent ?? '', /612 more lines of this diff not shown/);
  });

  it('keeps a diff the user closed closed, and keyboard focus on its toggle, while the agent streams text', () => {
    const { document, root, details } = setup();
    let state = applyEvents(emptyViewState(), events());
    details.update(state, 'fix');
    const summary = root.querySelector('details.tool-diff > summary') as HTMLElement;
    summary.focus();
    summary.click();
    const disclosure = root.querySelector('details.tool-diff') as HTMLDetailsElement;
    assert.equal(disclosure.open, false);
    disclosure.dispatchEvent(new (document.defaultView as unknown as { Event: typeof Event }).Event('toggle'));
    state = applyEvent(state, { type: 'agent.text', taskId: 'fix', delta: 'thinking…', ...at(8) });
    details.update(state, 'fix');
    assert.equal(root.querySelector('details.tool-diff'), disclosure, 'the tool list is kept while its calls are unchanged');
    assert.equal(document.activeElement, summary);
    // A new call redraws the list; the user's choice for the edit stays.
    state = applyEvent(state, { type: 'agent.tool', taskId: 'fix', tool: 'search', ok: true, summary: 'search "tax" → 2 matches', ...at(9) });
    details.update(state, 'fix');
    assert.notEqual(root.querySelector('details.tool-diff'), disclosure);
    assert.equal((root.querySelector('details.tool-diff') as HTMLDetailsElement).open, false);
  });
});
