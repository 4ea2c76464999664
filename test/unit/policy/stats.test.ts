import assert from 'node:assert/strict';
import fc from 'fast-check';
import { beta, mulberry32, seededRng } from '../../../src/core/policy/random';
import { betaCdf, betaInterval, wilsonUpper } from '../../../src/core/policy/stats';

describe('policy statistics', () => {
  it('draws Beta samples whose mean matches a/(a+b)', () => {
    const rng = seededRng(7);
    for (const [a, b] of [[2, 8], [30, 3], [0.5, 0.5]] as const) {
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += beta(rng, a, b);
      assert.ok(Math.abs(sum / 20_000 - a / (a + b)) < 0.01, `mean of Beta(${a}, ${b})`);
    }
  });

  it('seeded generators repeat, different seeds differ', () => {
    const x = seededRng(3);
    const y = seededRng(3);
    const z = seededRng(4);
    const xs = [x.next(), x.next(), x.next()];
    assert.deepEqual(xs, [y.next(), y.next(), y.next()]);
    assert.notDeepEqual(xs, [z.next(), z.next(), z.next()]);
  });

  it('mulberry32 keeps the stream the benchmarks and the fault injection were published with', () => {
    // The figures in bench/REPORT.md replay seed for seed only while these first draws hold.
    const next = mulberry32(1).next;
    assert.deepEqual([next(), next(), next()], [0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  });

  it('computes the Beta CDF (uniform and a known value) and intervals that contain the mean', () => {
    assert.ok(Math.abs(betaCdf(0.3, 1, 1) - 0.3) < 1e-9);
    // Beta(2, 2) CDF at 0.5 is 0.5 by symmetry; Beta(2, 1) CDF is x².
    assert.ok(Math.abs(betaCdf(0.5, 2, 2) - 0.5) < 1e-9);
    assert.ok(Math.abs(betaCdf(0.7, 2, 1) - 0.49) < 1e-9);
    fc.assert(
      fc.property(fc.double({ min: 1, max: 200, noNaN: true }), fc.double({ min: 1, max: 200, noNaN: true }), (a, b) => {
        const [lo, hi] = betaInterval(a, b, 0.9);
        const m = a / (a + b);
        return lo <= m + 1e-6 && m - 1e-6 <= hi && lo >= 0 && hi <= 1;
      }),
      { numRuns: 60 },
    );
  });

  it('bounds a failure rate: about 2.7/n with no failures, never below the observed rate', () => {
    assert.ok(Math.abs(wilsonUpper(0, 100) - 0.0264) < 0.001);
    assert.ok(wilsonUpper(0, 20) > 0.1); // 20 clean runs cannot certify a 10 % bar
    assert.ok(wilsonUpper(0, 30) < 0.1);
    fc.assert(fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 500 }), (n, k) => wilsonUpper(Math.min(k, n), n) >= Math.min(k, n) / n - 1e-12));
  });
});
