/**
 * Larger sample plans for the layout tests and the 30-task screenshots:
 * a hand-written 30-task web-shop plan with titles as long as planners write them, and a seeded generator
 * of N-task plans (a few roots, 1-3 dependencies each, some reaching several layers back).
 */
import type { Plan, Task } from '../../../src/core/plan/schema';
import type { RunEvent, TaskStatus } from '../../../src/core/run/events';
import { applyEvents } from '../../../src/protocol/reducer';
import { emptyViewState, type RunViewState } from '../../../src/protocol/viewState';

function task(id: string, title: string, role: string, deps: string[]): Task {
  return { id, title, objective: `${title}.`, role, deps, files: [`src/${id}.ts`], acceptance: [] };
}

/** A 30-task plan with real-looking titles (many longer than 18 characters). */
export const PLAN_30: Plan = {
  goal: 'An online shop for a bakery: catalogue, basket, checkout with card payments, order tracking and an admin area',
  tasks: [
    task('spec', 'Write the product and order specification', 'analyst', []),
    task('schema', 'Database schema and migrations for products and orders', 'backend developer', ['spec']),
    task('design', 'Design tokens, colours and typography', 'designer', ['spec']),
    task('auth', 'Customer accounts: sign-up, sign-in, password reset', 'backend developer', ['schema']),
    task('catalog-api', 'Catalogue API with categories and search', 'backend developer', ['schema']),
    task('basket-api', 'Basket API that survives signing in', 'backend developer', ['schema', 'auth']),
    task('pay-api', 'Card payments through the payment provider', 'backend developer', ['basket-api']),
    task('orders-api', 'Order lifecycle: placed, baked, delivered', 'backend developer', ['pay-api']),
    task('mail', 'Order confirmation and status e-mails', 'backend developer', ['orders-api']),
    task('admin-api', 'Admin API for products, stock and prices', 'backend developer', ['catalog-api', 'auth']),
    task('ui-shell', 'App shell: header, navigation, footer', 'frontend developer', ['design']),
    task('ui-catalog', 'Catalogue pages with filters and product cards', 'frontend developer', ['ui-shell', 'catalog-api']),
    task('ui-product', 'Product page with photos and allergens', 'frontend developer', ['ui-catalog']),
    task('ui-basket', 'Basket drawer with quantities and totals', 'frontend developer', ['ui-shell', 'basket-api']),
    task('ui-checkout', 'Checkout form with address and card entry', 'frontend developer', ['ui-basket', 'pay-api']),
    task('ui-account', 'Account pages: orders, addresses, settings', 'frontend developer', ['ui-shell', 'auth', 'orders-api']),
    task('ui-tracking', 'Order tracking timeline', 'frontend developer', ['ui-account']),
    task('ui-admin', 'Admin screens for products and stock', 'frontend developer', ['ui-shell', 'admin-api']),
    task('i18n', 'German and English translations', 'frontend developer', ['ui-catalog', 'ui-checkout']),
    task('a11y', 'Accessibility pass: keyboard, labels, contrast', 'frontend developer', ['ui-checkout', 'ui-account']),
    task('test-auth', 'Tests for accounts and sessions', 'tester', ['auth']),
    task('test-basket', 'Tests for basket merging', 'tester', ['basket-api']),
    task('test-pay', 'Payment tests against the provider sandbox', 'tester', ['pay-api']),
    task('test-orders', 'Order lifecycle tests', 'tester', ['orders-api', 'mail']),
    task('e2e', 'End-to-end test: browse, buy, track', 'tester', ['ui-checkout', 'ui-tracking']),
    task('seed', 'Seed data: 40 products with photos', 'backend developer', ['schema']),
    task('perf', 'Image sizes and caching for fast pages', 'frontend developer', ['ui-product', 'seed']),
    task('deploy', 'Container image and deployment script', 'devops', ['orders-api', 'ui-admin']),
    task('monitoring', 'Error reporting and uptime checks', 'devops', ['deploy']),
    task('docs', 'README and operator guide', 'writer', ['deploy', 'e2e']),
  ],
};

const STATUSES_30: readonly TaskStatus[] = ['passed', 'passed', 'passed', 'running', 'verifying', 'pending', 'ready', 'unverified', 'failed', 'pending'];

/** A view state of a plan mid-run: statuses cycle through a fixed mix, the first tasks are done. */
export function stateOf(plan: Plan, runId = 'run-sample-large'): RunViewState {
  let ts = 1_780_000_000_000;
  const at = (): { runId: string; ts: number } => ({ runId, ts: (ts += 10) });
  const events: RunEvent[] = [{ type: 'run.started', goal: plan.goal ?? '', dir: '/work/shop', ...at() }, { type: 'plan.ready', plan, ...at() }];
  plan.tasks.forEach((t, i) => events.push({ type: 'task.status', taskId: t.id, status: i < 3 ? 'passed' : STATUSES_30[i % STATUSES_30.length]!, ...at() }));
  return applyEvents(emptyViewState(), events);
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const WORDS = ['parser', 'storage layer', 'settings page', 'import of legacy records', 'REST endpoints', 'search index', 'report export to CSV', 'login flow', 'caching', 'background jobs', 'notifications', 'audit log'];

/** A seeded N-task plan: 4 roots, each later task depending on 1-3 of the 12 tasks before it. */
export function generatedPlan(n: number, seed = 11): Plan {
  const rnd = lcg(seed);
  const tasks: Task[] = [];
  for (let i = 0; i < n; i++) {
    const deps = new Set<string>();
    if (i >= 4) for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) deps.add(`t${i - 1 - Math.floor(rnd() * Math.min(i, 12))}`);
    tasks.push(task(`t${i}`, `Build the ${WORDS[i % WORDS.length]!} for module ${i}`, ['developer', 'tester', 'writer'][i % 3]!, [...deps]));
  }
  return { goal: `A ${n}-task plan`, tasks };
}
