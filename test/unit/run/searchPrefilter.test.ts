/**
 * The search tool skips a file at once when it lacks a literal every match must contain; that must never
 * skip a file with a matching line (a missed match is worse than a slow search).
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { requiredLiteral } from '../../../src/core/run/tools/search';

describe('run/tools/search: the literal a regular expression requires', () => {
  it('finds the longest run of plain text every match contains, and none when an alternation or quantifier may drop it', () => {
    const cases: Array<[string, string | undefined]> = [
      ['def \\w+_handler_\\d+_0\\(', '_handler_'],
      ['^class\\s+(\\w+)', 'class'],
      ['import .* from', 'import '],
      ['a\\.b\\.c', 'a.b.c'],
      ['colou?r', 'colo'],
      ['fooo{2}', 'foo'],
      ['foo|bar', undefined],
      ['x(abc)yz', undefined],
      ['[abc]def', 'def'],
      ['\\u{1F600}abc', 'abc'],
      ['x\\u00e9\\u00e9yz', undefined],
      ['\\x41\\x42CDE', 'CDE'],
      ['(?<n>a)\\k<n>xyz', 'xyz'],
    ];
    for (const [pattern, want] of cases) assert.equal(requiredLiteral(pattern), want, pattern);
  });

  it('never rules out a line the pattern matches (random patterns over a small alphabet)', () => {
    const atom = fc.oneof(
      fc.constantFrom('a', 'b', 'c', 'ab', 'abc', ' ', '_', '.', '\\.', '\\(', '\\w', '\\d', '\\s', '\\b', '[ab]', '[^a]', '(a|b)', '(abc)', '\\u0061', '\\x62', '^', '$'),
      fc.constantFrom('a', 'b', 'c').chain((c) => fc.constantFrom(`${c}?`, `${c}*`, `${c}+`, `${c}{2}`, `${c}{0,2}`)),
    );
    const pattern = fc.array(atom, { minLength: 1, maxLength: 8 }).map((xs) => xs.join(''));
    const line = fc.array(fc.constantFrom('a', 'b', 'c', ' ', '_', '.', '(', '1', 'x'), { maxLength: 14 }).map((xs) => xs.join(''));
    fc.assert(fc.property(pattern, line, (p, l) => {
      const must = requiredLiteral(p);
      if (must !== undefined && new RegExp(p, 'u').test(l)) assert.ok(l.includes(must), `${p} matches ${JSON.stringify(l)} without ${JSON.stringify(must)}`);
    }), { numRuns: 3000, seed: 13 });
  });
});
