/**
 * The plan gate in the views: while a planned run's plan waits for the user's review (no agent has started),
 * a bar says so and offers the answers: Run, Edit as JSON, Re-plan with the words typed in its text box, and
 * Cancel (the sidebar's own Cancel button there). The graph below it draws the plan, and the run's Decisions list every candidate drawn. The buttons
 * only post commands; the host checks that a plan is still waiting.
 */
import type { RunViewState } from '../protocol/viewState';
import type { WebviewCommand } from '../protocol/messages';
import { button, h, replaceChildren, setText } from './dom';

/** The longest feedback the text box takes (the host's limit for the message). */
const FEEDBACK_MAX = 4000;

export class PlanGateBar {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly problems: HTMLElement;
  private readonly feedback: HTMLTextAreaElement;
  private readonly replan: HTMLButtonElement;
  private readonly actions: HTMLButtonElement[];
  private readonly cancel: HTMLButtonElement | undefined;
  private shownKey = '';

  constructor(doc: Document, post: (c: WebviewCommand) => void, options: { compact?: boolean } = {}) {
    this.title = h(doc, 'strong', 'plan-gate-title');
    this.detail = h(doc, 'span', 'plan-gate-detail muted');
    this.problems = h(doc, 'ul', 'plan-gate-problems', { 'aria-label': 'Why the edited plan was not run' });
    this.feedback = h(doc, 'textarea', 'plan-gate-feedback', {
      rows: options.compact ? 2 : 3,
      maxlength: FEEDBACK_MAX,
      'aria-label': 'Feedback for the planner',
      placeholder: 'What should the new plan do differently? (e.g. keep the UI in one task; add a task for tests)',
    });
    this.replan = button(doc, 'refresh', 'Re-plan with Feedback', () => {
      const text = this.feedback.value.trim();
      if (!text) return;
      post({ type: 'planReplan', feedback: text.slice(0, FEEDBACK_MAX) });
    }, 'af-button secondary');
    this.feedback.addEventListener('input', () => {
      this.replan.disabled = this.feedback.value.trim().length === 0;
    });
    const run = button(doc, 'play', 'Run', () => post({ type: 'planRun' }), 'af-button primary');
    const edit = button(doc, 'edit', 'Edit as JSON', () => post({ type: 'planEdit' }), 'af-button secondary');
    // The sidebar has its own Cancel beside the bar; the graph's toolbar button is far from it.
    const cancel = options.compact ? undefined : button(doc, 'debug-stop', 'Cancel', () => post({ type: 'cancelRun' }), 'af-button secondary');
    this.cancel = cancel;
    this.actions = [run, edit, this.replan];
    this.element = h(doc, 'section', `plan-gate${options.compact ? ' compact' : ''}`, { role: 'region', 'aria-label': 'Plan review' },
      h(doc, 'div', 'plan-gate-head', undefined, this.title, this.detail),
      this.problems,
      h(doc, 'div', 'plan-gate-actions', undefined, run, edit, cancel ?? null),
      h(doc, 'div', 'plan-gate-replan', undefined, this.feedback, this.replan));
    this.element.hidden = true;
    this.replan.disabled = true;
  }

  /** Shows the gate while a plan waits (or is being drawn again); hides it otherwise. */
  update(state: RunViewState): void {
    const review = state.review;
    const open = state.run?.status === 'running' && review !== undefined && review.state !== 'decided';
    this.element.hidden = !open;
    if (!open || !review) return;
    const waiting = review.state === 'waiting';
    setText(this.title, waiting ? 'Waiting for your review of the plan' : 'Re-planning with your feedback…');
    const m = state.metrics;
    const shape = m ? `${m.tasks} task${m.tasks === 1 ? '' : 's'}, depth ${m.depth}, parallelism ${m.parallelism.toFixed(2)}` : '';
    const chosen = review.chosen !== undefined && review.candidates !== undefined && review.candidates > 1
      ? ` · candidate ${review.chosen} of ${review.candidates} chosen (every candidate is under Decisions)` : '';
    setText(this.detail, waiting ? `Plan ${review.round}: ${shape}${chosen}. No agent has started.` : `"${review.feedback ?? ''}"`);
    for (const b of this.actions) b.disabled = !waiting || (b === this.replan && this.feedback.value.trim().length === 0);
    // Cancel stays usable while the planner works again.
    if (this.cancel) this.cancel.disabled = false;
    this.feedback.disabled = !waiting;
    const problems = review.problems ?? [];
    const key = `${review.round}\0${review.state}\0${problems.join('\0')}`;
    if (key === this.shownKey) return;
    // A new plan: the typed feedback went with the last one.
    if (waiting && !this.shownKey.startsWith(`${review.round}\0`)) this.feedback.value = '';
    this.shownKey = key;
    const doc = this.element.ownerDocument;
    this.problems.hidden = problems.length === 0;
    replaceChildren(this.problems, ...(problems.length ? [h(doc, 'li', 'plan-gate-problems-head', undefined, 'Your edited plan was not run:'), ...problems.slice(0, 20).map((p) => h(doc, 'li', undefined, undefined, p))] : []));
    if (waiting) this.replan.disabled = this.feedback.value.trim().length === 0;
  }
}
