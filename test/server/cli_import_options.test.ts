// Options of `cli import contacts|blacklist`, checked by one compiled schema (ajv).

import { expect } from 'chai';
import { importOptions } from '../../server/cli/import.ts';
import { UserError } from '../../models/orm/exceptions.ts';

describe('cli import: options', () => {
  const refused = (opts: Record<string, unknown>): UserError => {
    try {
      importOptions({ progress: true, ...opts } as any);
    } catch (e) {
      expect(e).to.be.instanceOf(UserError);
      return e as UserError;
    }
    throw new Error('accepted');
  };

  it('converts --batch to a number and keeps the other options', () => {
    expect(importOptions({ batch: '2500', progress: false, country: 'BE', delimiter: ';' })).to.deep.equal({ batchSize: 2500, progress: false, country: 'BE', delimiter: ';' });
    expect(importOptions({ batch: '10', progress: true, delimiter: 'tab' }).delimiter).to.equal('tab');
    expect(importOptions({ batch: '10', progress: true, delimiter: '\\t' }).delimiter).to.equal('\\t');
  });

  it('refuses a wrong option with a UserError naming it and the value given', () => {
    expect(refused({ batch: '0' }).message).to.equal('--batch must be a number of rows between 1 and 1000000 (got "0")');
    expect(refused({ batch: 'lots' }).message).to.equal('--batch must be a number of rows between 1 and 1000000 (got "lots")');
    expect(refused({ batch: '2000000' }).message).to.equal('--batch must be a number of rows between 1 and 1000000 (got "2000000")');
    expect(refused({ batch: '10', delimiter: ';;' }).message).to.equal('--delimiter must be one character (got ";;")');
    expect(refused({ batch: '10', list: '' }).message).to.equal('--list must name a mailing list (got "")');
  });
});
