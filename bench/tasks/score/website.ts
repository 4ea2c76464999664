/**
 * Scores a website output folder per the paper's criteria, in Debian Chromium (playwright-core) with every
 * non-file request blocked:
 * - Compilable: every page renders (loads, has visible text) without an uncaught script error;
 * - Basic information: the name, the dates, the location and the organiser appear in the rendered text;
 * - Sections: a schedule section, and a venue section holding a map element (an embed cannot load offline,
 *   so the element is scored, not the network request: paper-tasks.md).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { scoreOf, type Criterion, type TaskScore } from './types';

/** Debian's Chromium, or AGENSFLOW_CHROMIUM. */
export const CHROMIUM = process.env.AGENSFLOW_CHROMIUM ?? '/usr/bin/chromium';

/** What one page shows, as the scorer reads it from the rendered DOM. */
export interface PageFacts {
  file: string;
  loaded: boolean;
  scriptErrors: string[];
  text: string;
  hasSchedule: boolean;
  venueWithMap: boolean;
  hasVenue: boolean;
}

/** The facts the paper asks for, each a test of the rendered text (normalised whitespace). */
export const BASIC_INFO: readonly { what: string; test: RegExp[] }[] = [
  { what: 'name', test: [/International Conference on Learning Representations/i, /ICLR\s*[-']?\s*(20)?25/i] },
  { what: 'dates', test: [/Apr(il)?\.?\s+27(th)?|27(th)?\s+Apr(il)?/i, /May\s+1(st)?\b|\b1(st)?\s+May/i, /2025/] },
  { what: 'location', test: [/San Francisco/i, /California|\bCA\b/] },
  { what: 'organiser', test: [/International Association for Learning Representations/i] },
];

/** Runs in the page: schedule and venue sections (by id, class or heading) and a map inside the venue. */
function readSections(): { hasSchedule: boolean; hasVenue: boolean; venueWithMap: boolean } {
  const containerOf = (el: Element): Element => el.closest('section, article, main > div, div[id], div[class]') ?? el.parentElement ?? el;
  const named = (re: RegExp): Element[] => {
    const byAttr = [...document.querySelectorAll('[id], [class]')].filter((e) => re.test(`${e.id} ${e.getAttribute('class') ?? ''}`));
    const byHeading = [...document.querySelectorAll('h1, h2, h3, h4')].filter((h) => re.test(h.textContent ?? '')).map(containerOf);
    return [...byAttr, ...byHeading];
  };
  const isMap = (e: Element): boolean =>
    e.tagName === 'IFRAME' || /map/i.test(`${e.id} ${e.getAttribute('class') ?? ''} ${e.getAttribute('src') ?? ''} ${e.getAttribute('data') ?? ''} ${e.getAttribute('alt') ?? ''} ${e.getAttribute('title') ?? ''} ${e.getAttribute('aria-label') ?? ''}`);
  const mapIn = (root: Element): boolean => isMap(root) || [...root.querySelectorAll('iframe, img, object, embed, svg, canvas, div, figure, a')].some(isMap);
  const venues = named(/venue|location/i);
  return { hasSchedule: named(/schedule|programme|program|agenda/i).length > 0, hasVenue: venues.length > 0, venueWithMap: venues.some(mapIn) };
}

/** Renders each .html page of `dir` in `browser` and reads its facts. */
export async function readPages(browser: Browser, dir: string): Promise<PageFacts[]> {
  const pages = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.html?$/i.test(d.name))
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort((a, b) => Number(!/^index\.html?$/i.test(a)) - Number(!/^index\.html?$/i.test(b)) || a.localeCompare(b));
  const context = await browser.newContext({ offline: true, javaScriptEnabled: true });
  // tsx compiles with keepNames, wrapping functions in __name(): give evaluated functions a no-op one.
  await context.addInitScript('globalThis.__name = globalThis.__name || ((f) => f);');
  await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort('blockedbyclient')));
  const facts: PageFacts[] = [];
  try {
    for (const file of pages.slice(0, 20)) {
      const page = await context.newPage();
      const scriptErrors: string[] = [];
      page.on('pageerror', (e) => scriptErrors.push(e.message));
      let loaded = true;
      try {
        await page.goto(pathToFileURL(path.join(dir, file)).href, { waitUntil: 'load', timeout: 20_000 });
      } catch {
        loaded = false;
      }
      const text = loaded ? ((await page.evaluate(() => document.body?.innerText ?? '')) ?? '').replace(/\s+/g, ' ').trim() : '';
      const sections = loaded ? await page.evaluate(readSections) : { hasSchedule: false, hasVenue: false, venueWithMap: false };
      facts.push({ file, loaded: loaded && text.length > 0, scriptErrors, text, ...sections });
      await page.close();
    }
  } finally {
    await context.close();
  }
  return facts;
}

/** The three criteria from the pages' facts (pure: unit-tested without a browser). */
export function judgeWebsite(facts: readonly PageFacts[]): Criterion[] {
  if (facts.length === 0) {
    const why = 'no .html file';
    return [{ name: 'Compilable', ok: false, why }, { name: 'Basic information', ok: false, why }, { name: 'Sections', ok: false, why }];
  }
  const broken = facts.filter((f) => !f.loaded || f.scriptErrors.length > 0);
  const text = facts.map((f) => f.text).join(' ');
  const missing = BASIC_INFO.filter((b) => !b.test.every((t) => t.test(text))).map((b) => b.what);
  const schedule = facts.some((f) => f.hasSchedule);
  const venue = facts.some((f) => f.hasVenue);
  const map = facts.some((f) => f.venueWithMap);
  return [
    broken.length
      ? { name: 'Compilable', ok: false, why: broken.map((f) => `${f.file}: ${f.loaded ? `script error: ${f.scriptErrors[0]}` : 'did not render'}`).join('; ') }
      : { name: 'Compilable', ok: true, why: `${facts.length} page(s) render offline without script errors` },
    missing.length ? { name: 'Basic information', ok: false, why: `missing: ${missing.join(', ')}` } : { name: 'Basic information', ok: true, why: 'name, dates, location and organiser present' },
    schedule && map
      ? { name: 'Sections', ok: true, why: 'a schedule section, and a venue section with a map element' }
      : { name: 'Sections', ok: false, why: [schedule ? '' : 'no schedule section', venue ? (map ? '' : 'the venue section has no map element') : 'no venue section'].filter(Boolean).join('; ') },
  ];
}

/** Scores the site in `dir` (Chromium needed: without it every criterion fails, saying so). */
export async function scoreWebsite(dir: string, browser?: Browser): Promise<TaskScore> {
  if (!browser && !existsSync(CHROMIUM)) {
    const why = `Chromium not found at ${CHROMIUM} (set AGENSFLOW_CHROMIUM)`;
    return scoreOf('website', ['Compilable', 'Basic information', 'Sections'].map((name) => ({ name, ok: false, why })));
  }
  const own = browser ? undefined : await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'], headless: true });
  try {
    return scoreOf('website', judgeWebsite(await readPages((browser ?? own) as Browser, dir)));
  } finally {
    await own?.close();
  }
}
