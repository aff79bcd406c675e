// The statistics behind the A/B summary: a two-proportion z-test between the two best variants.

import { expect } from 'chai';
import { abTestingVerdictHtml, twoProportionPValue } from '../../models/mass_mailing/ab_testing.ts';

describe('mass_mailing: A/B summary statistics', () => {
  it('two-proportion z-test: textbook values', () => {
    // 200/1000 vs 150/1000: z ≈ 2.94, two-sided p ≈ 0.0033
    expect(twoProportionPValue({ reached: 1000, clicked: 200 }, { reached: 1000, clicked: 150 })!).to.be.closeTo(0.0033, 0.0002);
    // Same ratio: p = 1
    expect(twoProportionPValue({ reached: 100, clicked: 10 }, { reached: 200, clicked: 20 })!).to.be.closeTo(1, 1e-6);
    // Nothing to test: an empty sample, or nobody clicked anywhere.
    expect(twoProportionPValue({ reached: 0, clicked: 0 }, { reached: 10, clicked: 1 })).to.equal(null);
    expect(twoProportionPValue({ reached: 10, clicked: 0 }, { reached: 10, clicked: 0 })).to.equal(null);
  });

  it('crowns a leader only when the difference is significant', () => {
    const big = abTestingVerdictHtml([
      { id: 1, name: 'A', pc: 10, reached: 1000, clicked: 200 },
      { id: 2, name: 'B', pc: 10, reached: 1000, clicked: 150 },
    ]);
    expect(big).to.contain('A leads, and the difference is statistically significant');
    const small = abTestingVerdictHtml([
      { id: 1, name: 'A', pc: 10, reached: 20, clicked: 4 },
      { id: 2, name: 'B', pc: 10, reached: 20, clicked: 3 },
    ]);
    expect(small).to.contain('Too early to tell');
    expect(small).to.contain('coin toss');
    expect(abTestingVerdictHtml([{ id: 1, name: 'A', pc: 10, reached: 0, clicked: 0 }])).to.equal('');
  });
});
