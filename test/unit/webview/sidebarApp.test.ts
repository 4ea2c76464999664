import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WebviewCommand } from '../../../src/protocol/messages';
import { emptyViewState, type RunViewState } from '../../../src/protocol/viewState';
import { defaultWorkbenchContext, type WorkbenchContext } from '../../../src/protocol/workbenchContext';
import { SidebarApp } from '../../../src/webview/sidebarApp';
import { makeDocument } from './dom';
import { applyEvent } from '../../../src/protocol/reducer';
import { progressOf } from '../../../src/webview/status';
import { RUN_ID, sampleState } from './sampleRun';

describe('webview: sidebar', () => {
  it('marks a task that needed more than one attempt, in its row and its graph node', () => {
    const { root } = makeDocument();
    const app = new SidebarApp(root, { post: () => undefined });
    app.receive({ type: 'snapshot', state: sampleState(), selectedTaskId: null });
    const rows = [...root.querySelectorAll('.task-row')];
    const save = rows.find((r) => r.querySelector('.task-title')?.textContent === 'Save and load games');
    assert.equal(save?.querySelector('.task-status')?.textContent, 'Failed · try 2');
    const board = rows.find((r) => r.querySelector('.task-title')?.textContent === 'Board model');
    assert.equal(board?.querySelector('.task-status')?.textContent, 'Passed');
    // The attempt comes before the role, so an ellipsis cuts the role, not the attempt.
    assert.equal(root.querySelector('.node[data-task-id="save"] .node-meta')?.textContent, 'save · try 2 · python developer');
  });

  it('after a cancel, cancelled tasks are not counted as settled work: no "6/6 settled" with a full bar', () => {
    let state = sampleState();
    const open = (state.plan?.tasks ?? []).filter((t) => !['passed', 'unverified', 'failed', 'blocked'].includes(state.statuses[t.id] ?? 'pending'));
    assert.ok(open.length > 0);
    for (const t of open) state = applyEvent(state, { type: 'task.status', runId: RUN_ID, ts: 9e12, taskId: t.id, status: 'cancelled' });
    const total = state.plan?.tasks.length ?? 0;
    const { root } = makeDocument();
    const app = new SidebarApp(root, { post: () => undefined });
    app.receive({ type: 'snapshot', state, selectedTaskId: null });
    const bar = root.querySelector('progress.run-progress') as HTMLProgressElement | null;
    assert.equal(Number(bar?.getAttribute('max') ?? bar?.max), total);
    assert.equal(Number(bar?.value), total - open.length);
    assert.ok(root.textContent?.includes(`${total - open.length}/${total} settled · ${open.length} cancelled`), root.textContent ?? '');
    assert.equal(progressOf(['passed', 'cancelled', 'cancelled']).text, '1/3 settled · 2 cancelled');
  });
});

describe('webview: sidebar and what the window is doing (context)', () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { contributes: { commands: { command: string; title: string }[] } };
  const titles = new Set(manifest.contributes.commands.map((c) => c.title));

  function sidebar(context: Partial<WorkbenchContext>, state: RunViewState | null = sampleState()) {
    const { root } = makeDocument();
    const posted: WebviewCommand[] = [];
    const app = new SidebarApp(root, { post: (c) => posted.push(c) });
    if (state) app.receive({ type: 'snapshot', state, selectedTaskId: null });
    app.receive({ type: 'context', context: { ...defaultWorkbenchContext(), ...context } });
    const buttonNamed = (label: string) => [...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === label) as HTMLButtonElement | undefined;
    const visible = (el: Element | null | undefined): boolean => {
      for (let e = el ?? null; e; e = e.parentElement) if ((e as HTMLElement).hidden) return false;
      return el != null;
    };
    return { root, app, posted, buttonNamed, visible };
  }

  it('after a reload mid-run: interrupted, no Cancel, the clock stands still, and a Resume button for that run', () => {
    // The journal said running; nothing runs it in this window (phase idle) and the host offers it to resume.
    const state = sampleState();
    assert.equal(state.run?.status, 'running');
    const s = sidebar({ phase: 'idle', resumable: { runId: RUN_ID, interrupted: true } }, state);
    assert.equal(s.root.querySelector('.run-meta .badge')?.textContent, 'interrupted');
    assert.equal(s.buttonNamed('Cancel')?.disabled, true);
    const resume = s.buttonNamed('Resume');
    assert.ok(resume && s.visible(resume), 'Resume is in the sidebar');
    resume.click();
    assert.deepEqual(s.posted, [{ type: 'resumeRun' }]);
    const elapsed = s.root.querySelector('.run-meta .muted')?.textContent;
    s.app.tick(Date.now() + 60_000);
    assert.equal(s.root.querySelector('.run-meta .muted')?.textContent, elapsed, 'the timer does not count on');
    // The same run while this window runs it: running, Cancel enabled, no Resume.
    const live = sidebar({ phase: 'running', resumable: null }, state);
    assert.equal(live.root.querySelector('.run-meta .badge')?.textContent, 'running');
    assert.equal(live.buttonNamed('Cancel')?.disabled, false);
    assert.equal(live.visible(live.buttonNamed('Resume')), false);
  });

  it('offers Resume only for a resumable run: none for a completed run or with no run', () => {
    let state = sampleState();
    state = applyEvent(state, { type: 'run.finished', runId: RUN_ID, ts: 9e12, exitCode: 0, status: 'completed' });
    const done = sidebar({ resumable: null }, state);
    assert.equal(done.visible(done.buttonNamed('Resume')), false);
    const none = sidebar({}, null);
    assert.equal(none.visible(none.buttonNamed('Resume')), false);
    assert.ok(!/Resume/.test(none.root.querySelector('.empty-state')?.textContent ?? ''));
  });

  it('a planning failure shows the reason under "failed", not "planning…"', () => {
    let state = applyEvent(emptyViewState(), { type: 'run.started', runId: 'r1', ts: 1, goal: 'a game', dir: '/w' });
    const planning = sidebar({ phase: 'planning' }, state);
    assert.equal(planning.root.querySelector('.run-progress-row .muted')?.textContent, 'planning…');
    state = applyEvent(state, { type: 'run.finished', runId: 'r1', ts: 2, exitCode: 2, status: 'failed', reason: 'openai could not be reached at http://127.0.0.1:9/v1' });
    const failed = sidebar({ phase: 'idle' }, state);
    assert.equal(failed.root.querySelector('.run-meta .badge')?.textContent, 'failed');
    assert.ok(!failed.root.textContent?.includes('planning…'), failed.root.textContent ?? '');
    assert.equal(failed.root.querySelector('.run-reason')?.textContent, 'openai could not be reached at http://127.0.0.1:9/v1');
    assert.ok(failed.visible(failed.root.querySelector('.run-reason')));
  });

  it('the empty state names only commands that exist, and "Set a model first" is a link that goes once a model is set', () => {
    const none = sidebar({ model: '' }, null);
    const text = none.root.textContent ?? '';
    assert.ok(!/Run Plan File\b|Select Model\b/.test(text), text);
    const link = none.buttonNamed('Set a model first');
    assert.ok(link && none.visible(link));
    link.click();
    const plan = none.buttonNamed('Run Plan From File…');
    assert.ok(plan && titles.has('Run Plan From File…'), 'the link is named as the command is');
    plan.click();
    assert.deepEqual(none.posted, [{ type: 'selectModel' }, { type: 'runPlanFile' }]);
    none.app.receive({ type: 'context', context: { ...defaultWorkbenchContext(), model: 'gpt-4.1-mini' } });
    assert.equal(none.visible(none.buttonNamed('Set a model first')), false);
  });

  it('Restricted Mode: a banner with "Trust this folder", New Task disabled with the reason before anything is typed', () => {
    for (const state of [null, sampleState()]) {
      const s = sidebar({ trusted: false, model: 'm' }, state);
      const banner = s.root.querySelector('.restricted-banner');
      assert.ok(s.visible(banner));
      assert.match(banner?.textContent ?? '', /Restricted Mode/);
      const newTasks = [...s.root.querySelectorAll('button')].filter((b) => b.textContent?.trim() === 'New Task' && s.visible(b)) as HTMLButtonElement[];
      assert.equal(newTasks.length, 1);
      assert.equal(newTasks[0]?.disabled, true);
      assert.equal(newTasks[0]?.getAttribute('aria-describedby'), banner?.id);
      s.buttonNamed('Trust this folder')?.click();
      assert.deepEqual(s.posted, [{ type: 'manageTrust' }]);
    }
    const trusted = sidebar({ trusted: true, model: 'm' }, null);
    assert.equal(trusted.visible(trusted.root.querySelector('.restricted-banner')), false);
    assert.equal(trusted.buttonNamed('New Task')?.disabled, false);
  });
});
