import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { algorithmSections, pagesWithinLimit, scoreSlides } from '../../../bench/tasks/score/slides';
import { findTool } from '../../../bench/tasks/score/run-tool';
import { tempDirs } from '../run/tmp';
import { edit, SCRIPTS, writeGood } from './outputs';

const deck = (body: string): string => `\\documentclass{beamer}\n\\begin{document}\n${body}\n\\end{document}\n`;
const algo = (name: string, parts: { motivation?: boolean; problem?: boolean; intuition?: boolean; equations?: boolean } = {}): string =>
  [
    `\\section{${name}}`,
    parts.motivation === false ? '' : `\\begin{frame}{${name}: motivation}x\\end{frame}`,
    parts.problem === false ? '' : `\\begin{frame}{${name}: the problem}x\\end{frame}`,
    parts.intuition === false ? '' : `\\begin{frame}{${name}: intuitive solution}x\\end{frame}`,
    parts.equations === false ? '' : `\\begin{frame}{${name}: equations}\\begin{equation}a=b\\end{equation}\\end{frame}`,
  ].join('\n');

describe('bench:tasks slides scorer', function () {
  this.timeout(120_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  describe('completeness (source analysis)', () => {
    it('finds each algorithm section and ignores generic ones (introduction, summary)', () => {
      const s = algorithmSections(deck(['\\section{Introduction}', algo('Q-learning'), algo('PPO'), '\\section{Summary}'].join('\n')));
      assert.deepEqual(s.map((x) => x.title), ['Q-learning', 'PPO']);
      assert.ok(s.every((x) => x.motivation && x.problem && x.intuition && x.equations));
    });

    it('reports the part an algorithm lacks, and ignores commented-out equations', () => {
      const s = algorithmSections(deck([algo('SARSA', { equations: false }) + '\n% \\begin{equation}a\\end{equation}', algo('DQN', { intuition: false })].join('\n')));
      assert.deepEqual(s.map((x) => [x.title, x.equations, x.intuition]), [['SARSA', false, true], ['DQN', true, false]]);
    });

    it('accepts \\[ \\] and align as display equations', () => {
      assert.equal(algorithmSections(deck(algo('A', { equations: false }) + '\\[ x \\]'))[0]!.equations, true);
      assert.equal(algorithmSections(deck(algo('B', { equations: false }) + '\\begin{align*} x \\end{align*}'))[0]!.equations, true);
    });

    it('keeps the page count within 20% of 30', () => {
      assert.deepEqual([23, 24, 30, 36, 37].map(pagesWithinLimit), [false, true, true, true, false]);
    });
  });

  describe('with latexmk', function () {
    before(function () {
      if (process.env.AGENSFLOW_SKIP_TEX === '1') this.skip();
      assert.ok(findTool('latexmk'), 'latexmk is required (or set AGENSFLOW_SKIP_TEX=1)');
    });

    it('a known-good 30-page deck split over \\input files scores every criterion', async () => {
      const s = await scoreSlides(writeGood(SCRIPTS.slides, tmp.make('af-slides-')));
      assert.deepEqual(s.criteria.map((c) => c.ok), [true, true, true], JSON.stringify(s.criteria));
      assert.match(s.criteria[2]!.why, /^30 pages/);
    });

    it('a deck that does not build fails Compilable (and has no page count)', async () => {
      const dir = writeGood(SCRIPTS.slides, tmp.make('af-slides-'));
      edit(dir, 'value.tex', '\\end{itemize}', '');
      const s = await scoreSlides(dir);
      assert.deepEqual(s.criteria.map((c) => c.ok), [false, true, false]);
    });

    it('a short deck fails Page limit; one algorithm without equations fails Completeness', async () => {
      const dir = tmp.make('af-slides-');
      writeFileSync(path.join(dir, 'talk.tex'), deck([algo('Q-learning'), algo('PPO', { equations: false })].join('\n')));
      const s = await scoreSlides(dir);
      assert.deepEqual(s.criteria.map((c) => c.ok), [true, false, false]);
      assert.match(s.criteria[1]!.why, /PPO: no equations/);
      assert.match(s.criteria[2]!.why, /^7 pages/);
    });
  });
});
