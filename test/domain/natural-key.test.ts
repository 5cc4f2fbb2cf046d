import { describe, expect, it } from 'vitest';
import { candidateNaturalKey } from '../../src/domain/index.js';

describe('candidateNaturalKey', () => {
  it.each([
    [{ accountName: 'ACME, Inc.', opportunityRef: ' RFP-12 ' }, 'acme|rfp-12'],
    [{ accountName: 'Acme', accountDomain: 'https://www.Acme.com/about' }, 'acme.com|'],
    [{ accountName: 'x', accountDomain: 'http://acme.com:8080/' }, 'acme.com|'],
    [{ accountName: 'x', accountDomain: 'acme.com.' }, 'acme.com|'],
    [{ accountName: 'x', accountDomain: 'WWW.ACME.COM?ref=ad' }, 'acme.com|'],
    [{ accountName: 'x', accountDomain: 'mailto://sales@acme.com' }, 'acme.com|'],
    [{ accountName: 'x', accountDomain: 'shop.acme.co.uk' }, 'shop.acme.co.uk|'],
    [{ accountName: 'Société Générale S.A.' }, 'societe generale|'],
    [{ accountName: 'Müller   GmbH' }, 'muller|'],
    [{ accountName: 'Acme Holdings Co. Ltd' }, 'acme holdings|'],
    [{ accountName: 'Acme Corporation' }, 'acme|'],
    [{ accountName: 'The Company' }, 'the|'],
    [{ accountName: 'Company' }, 'company|'],
    [{ accountName: 'Incline Partners' }, 'incline partners|'],
    [{ accountName: 'ＡＣＭＥ' }, 'acme|'],
  ])('normalises %j to %s', (parts, key) => {
    expect(candidateNaturalKey(parts)).toBe(key);
  });

  it('falls back to the account name when the domain is blank', () => {
    expect(candidateNaturalKey({ accountName: 'Acme Ltd', accountDomain: '  ' })).toBe('acme|');
  });

  it('gives the same key to spellings of one account and opportunity', () => {
    const a = candidateNaturalKey({ accountName: 'ACME, Inc.', opportunityRef: 'RFP-12' });
    const b = candidateNaturalKey({ accountName: 'acme inc', opportunityRef: 'rfp-12 ' });
    expect(a).toBe(b);
  });

  it('gives different keys to different opportunities at one account', () => {
    expect(candidateNaturalKey({ accountName: 'Acme', opportunityRef: 'RFP-12' })).not.toBe(
      candidateNaturalKey({ accountName: 'Acme', opportunityRef: 'RFP-13' }),
    );
  });
});
