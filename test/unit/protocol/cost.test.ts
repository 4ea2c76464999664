import assert from 'node:assert/strict';
import { formatCostText, formatUsageCost } from '../../../src/protocol/cost';

describe('protocol: cost for display', () => {
  it('dollars, "price unknown" for unpriced calls, "included in your plan" for calls the user\'s plan pays', () => {
    assert.equal(formatCostText(0), '$0');
    assert.equal(formatCostText(0.0042), '$0.0042');
    assert.equal(formatCostText(1.234), '$1.23');
    assert.equal(formatCostText(0, 2), 'price unknown');
    assert.equal(formatCostText(0.5, 1), '$0.50+ (some prices unknown)');
    assert.equal(formatCostText(0, 0, 3), 'included in your plan');
    assert.equal(formatCostText(0.5, 0, 3), '$0.50 (some calls included in your plan)');
    assert.equal(formatCostText(0, 1, 3), 'price unknown (some calls included in your plan)');
    assert.equal(formatCostText(0.5, 1, 3), '$0.50+ (some prices unknown; some calls included in your plan)');
    assert.equal(formatUsageCost({ cost: 0, includedCalls: 4 }), 'included in your plan');
    assert.equal(formatUsageCost({ cost: 0 }), '$0');
  });
});
