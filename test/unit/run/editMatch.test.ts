/**
 * edit_file's matching, as a table: every case either applies exactly (to the expected bytes) or fails
 * naming the reason; a failing call never changes the file (edits apply all or none).
 */
import { strict as assert } from 'node:assert';
import { applyEdits, type Edit } from '../../../src/core/run/tools/editMatch';

type Case = { name: string; file: string; edits: Edit[] } & ({ want: string; note?: RegExp } | { error: RegExp });

const e = (old_string: string, new_string: string, replace_all?: boolean): Edit => ({ old_string, new_string, ...(replace_all ? { replace_all } : {}) });
const PY = 'def a():\n    return 1\n\n\ndef b():\n    return 2\n';

const CASES: Case[] = [
  { name: 'unique exact match', file: PY, edits: [e('return 1', 'return 10')], want: PY.replace('return 1', 'return 10') },
  { name: 'ambiguous match is refused with its lines', file: 'x = 1\ny = 2\nx = 1\n', edits: [e('x = 1', 'x = 3')], error: /matches 2 times \(lines 1, 3\)/ },
  { name: 'replace_all changes every match', file: 'x = 1\ny = 2\nx = 1\n', edits: [e('x = 1', 'x = 3', true)], want: 'x = 3\ny = 2\nx = 3\n' },
  { name: 'missing match names the closest lines with numbers', file: PY, edits: [e('def c():\n    return 1', 'x')], error: /not found[\s\S]*closest lines:\n\s+\d+\tdef a\(\):/ },
  { name: 'missing match with nothing similar says so', file: PY, edits: [e('zzzzqqqq', 'x')], error: /No line of the file resembles/ },
  { name: 'empty old_string is refused', file: PY, edits: [e('', 'x')], error: /old_string is empty/ },
  { name: 'old equals new is refused', file: PY, edits: [e('return 1', 'return 1')], error: /changes nothing/ },
  { name: 'whitespace-only old_string not found is refused', file: 'a\nb\n', edits: [e('   \n', 'x')], error: /only whitespace/ },
  { name: 'trailing whitespace in the file is tolerated when unique', file: 'def a():   \n    return 1\n', edits: [e('def a():\n    return 1\n', 'def a():\n    return 2\n')], want: 'def a():\n    return 2\n', note: /ignoring trailing whitespace/ },
  { name: 'trailing whitespace in old_string is tolerated', file: 'a = 1\nb = 2\n', edits: [e('a = 1  \nb = 2', 'a = 1\nb = 3')], want: 'a = 1\nb = 3\n', note: /trailing whitespace/ },
  { name: 'indentation drift is tolerated and new_string re-indented', file: 'class K:\n    def f(self):\n        return 1\n', edits: [e('def f(self):\n    return 1', 'def f(self):\n    return 2')], want: 'class K:\n    def f(self):\n        return 2\n', note: /ignoring indentation/ },
  { name: 'indentation drift that matches twice is refused', file: 'if a:\n\tx()\nif b:\n\t\tx()\n', edits: [e(' x()', 'y()')], error: /ignoring indentation it matches 2 times/ },
  { name: 'tabs are matched exactly', file: 'func f() {\n\treturn 1\n}\n', edits: [e('\treturn 1', '\treturn 2')], want: 'func f() {\n\treturn 2\n}\n' },
  { name: 'spaces for tabs: indentation tolerance keeps the file tabs', file: 'func f() {\n\treturn 1\n}\n', edits: [e('    return 1', '    return 2')], want: 'func f() {\n\treturn 2\n}\n', note: /indentation/ },
  { name: 'CRLF file edited with LF strings stays CRLF', file: 'a\r\nb\r\nc\r\n', edits: [e('b\n', 'B\nB2\n')], want: 'a\r\nB\r\nB2\r\nc\r\n' },
  { name: 'CRLF file edited with CRLF strings', file: 'a\r\nb\r\nc\r\n', edits: [e('a\r\nb', 'x\r\ny')], want: 'x\r\ny\r\nc\r\n' },
  { name: 'mixed line endings are matched as they are', file: 'a\r\nb\nc\n', edits: [e('b\nc', 'B\nC')], want: 'a\r\nB\nC\n' },
  { name: 'BOM is kept', file: '\uFEFFa = 1\nb = 2\n', edits: [e('a = 1', 'a = 9')], want: '\uFEFFa = 9\nb = 2\n' },
  { name: 'BOM and CRLF together are kept', file: '\uFEFFa\r\nb\r\n', edits: [e('b', 'c')], want: '\uFEFFa\r\nc\r\n' },
  { name: 'unicode text', file: 'greet = "héllo wörld ✓"\nx = "日本"\n', edits: [e('"日本"', '"日本語"')], want: 'greet = "héllo wörld ✓"\nx = "日本語"\n' },
  { name: 'astral characters', file: 'a = "😀"\n', edits: [e('😀', '🎉')], want: 'a = "🎉"\n' },
  { name: 'start of file', file: PY, edits: [e('def a():', 'def first():')], want: PY.replace('def a():', 'def first():') },
  { name: 'end of file without final newline', file: 'a\nlast', edits: [e('last', 'final')], want: 'a\nfinal' },
  { name: 'end of file adds a line', file: 'a\nb\n', edits: [e('b\n', 'b\nc\n')], want: 'a\nb\nc\n' },
  { name: 'several edits in one call apply in order', file: PY, edits: [e('return 1', 'return 10'), e('return 2', 'return 20')], want: PY.replace('return 1', 'return 10').replace('return 2', 'return 20') },
  { name: 'a later edit sees the earlier one', file: 'x = 1\n', edits: [e('x = 1', 'x = 2'), e('x = 2', 'x = 3')], want: 'x = 3\n' },
  { name: 'a later failing edit cancels the earlier ones', file: PY, edits: [e('return 1', 'return 10'), e('nope nope', 'x')], error: /edit 2: old_string was not found[\s\S]*No edit was applied/ },
  { name: 'an edit that makes a second match ambiguous fails', file: 'x = 1\ny = 2\n', edits: [e('y = 2', 'x = 1'), e('x = 1', 'z')], error: /edit 2: old_string matches 2 times/ },
  { name: 'deleting lines', file: 'a\nb\nc\n', edits: [e('b\n', '')], want: 'a\nc\n' },
  { name: 'deleting lines with tolerant match', file: 'a\nb   \nc\n', edits: [e('b\n', '')], want: 'a\nc\n', note: /trailing/ },
  { name: 'dollar signs in new_string are literal', file: 'p = 1\n', edits: [e('p = 1', 'p = "$&$1$$"')], want: 'p = "$&$1$$"\n' },
  { name: 'regex metacharacters in old_string are literal', file: 'r = /a+(b)*/\n', edits: [e('/a+(b)*/', '/c/')], want: 'r = /c/\n' },
  { name: 'empty file: any edit is not found', file: '', edits: [e('x', 'y')], error: /not found/ },
  { name: 'a substring inside a line', file: 'value = compute(a, b)\n', edits: [e('compute(a, b)', 'compute(b, a)')], want: 'value = compute(b, a)\n' },
];

describe('run/tools/editMatch: the edit table', () => {
  it('has at least 30 cases', () => assert.ok(CASES.length >= 30, String(CASES.length)));
  for (const c of CASES) {
    it(c.name, () => {
      const r = applyEdits(c.file, c.edits);
      if ('want' in c) {
        assert.ok(r.ok, r.ok ? '' : r.error);
        assert.equal(r.text, c.want);
        if (c.note) assert.match(r.notes.join('; '), c.note);
        else assert.deepEqual(r.notes, []);
      } else {
        assert.ok(!r.ok, 'expected a failure');
        assert.match(r.error, c.error);
      }
    });
  }
});
