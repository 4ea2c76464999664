/**
 * The TeX verifier with the real latexmk on a small beamer document. Needs TeX Live with beamer (Debian:
 * latexmk texlive-latex-recommended texlive-pictures texlive-fonts-recommended, see .ci/apt-packages).
 * Skipped only when AGENSFLOW_SKIP_TEX=1 (developer machines without TeX); otherwise a missing TeX fails.
 */
import assert from 'node:assert/strict';
import { verifyTask } from '../../../src/core/verify';
import { hashTree, makeWorkspace, rmrf } from './helpers';

const slides = (frameBody: string, beforeFrame = '%'): string => `\\documentclass{beamer}
\\usetheme{default}
\\title{Verification}
\\begin{document}
${beforeFrame}
\\begin{frame}{First}
${frameBody}
\\end{frame}
\\end{document}
`;

describe('verify: latexmk on a beamer document', function () {
  this.timeout(120_000);
  let dir: string;
  before(async function () {
    if (process.env.AGENSFLOW_SKIP_TEX === '1') this.skip();
    dir = await makeWorkspace({ 'talk/slides.tex': slides('Hello $x^2$.'), 'talk/part.tex': 'No documentclass: compiled by its main file.\n' });
  });
  after(async () => {
    if (dir) await rmrf(dir);
  });

  it('passes a valid beamer document and checks only main documents', async () => {
    const r = await verifyTask({ workspaceDir: dir, taskFiles: ['talk/slides.tex', 'talk/part.tex'] });
    assert.equal(r.outcome, 'passed', JSON.stringify(r.checks.map((c) => c.findings)));
    assert.deepEqual(r.checks.map((c) => [c.id, c.tool, c.exitCode]), [['latexmk:talk/slides.tex', 'latexmk', 0]]);
  });

  it('fails an undefined control sequence with its line, ignoring an agent-written latexmkrc', async () => {
    const before = await hashTree(dir);
    // A latexmkrc (Perl) that would make every build "succeed" if latexmk read it (-norc stops that).
    const rc = 'exit 0;\n';
    // Outside a frame: beamer re-reads a frame's body, so TeX reports errors inside one at \\end{frame}.
    const staged = new Map([['talk/slides.tex', slides('Hello', '\\undefinedmacro{x}')], ['talk/latexmkrc', rc], ['talk/.latexmkrc', rc]]);
    const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['talk/slides.tex'] });
    assert.equal(r.outcome, 'failed');
    const c = r.checks[0]!;
    assert.notEqual(c.exitCode, 0);
    assert.deepEqual(c.findings[0], { file: 'talk/slides.tex', line: 5, message: 'Undefined control sequence.', tool: 'latexmk' });
    assert.equal(await hashTree(dir), before);
  });

  it('a missing latexmk makes the task unverified with install advice', async () => {
    const r = await verifyTask({ workspaceDir: dir, taskFiles: ['talk/slides.tex'], env: { PATH: '/nonexistent-agensflow' } });
    assert.equal(r.outcome, 'unverified');
    assert.match(r.checks[0]!.findings[0]!.message, /^latexmk not found: install TeX Live \(Debian: apt-get install latexmk /);
  });
});
