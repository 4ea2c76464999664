/**
 * edit_file's matching, as a table: every case either applies exactly (to the expected bytes) or fails
 * naming the reason; a failing call never changes the file (edits apply all or none).
 */
import { strict as assert } from 'node:assert';
import { applyEdits } from '../../../src/core/run/tools/editMatch';
import { EDIT_CASES as CASES } from '../../fixtures/editCases';

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
