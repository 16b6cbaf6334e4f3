import { foundInText } from '../testing/found-values';
import { isIssuableSsn } from './us-ssn.detector';

describe(isIssuableSsn.name, () => {
  it('should accept an ordinary number', () => {
    expect(isIssuableSsn('123', '45', '6789')).toBe(true);
  });

  it.each([
    ['area 000', '000', '12', '3456'],
    ['area 666', '666', '12', '3456'],
    ['area 900', '900', '12', '3456'],
    ['area 999', '999', '12', '3456'],
    ['group 00', '123', '00', '4567'],
    ['serial 0000', '123', '45', '0000'],
  ])('should reject %s', (_case, area, group, serial) => {
    expect(isIssuableSsn(area, group, serial)).toBe(false);
  });
});

describe('usSsnDetector', () => {
  it.each(['123-45-6789', '123 45 6789', '078.05.1120'])('should find the SSN %s', (ssn) => {
    expect(foundInText(`ssn ${ssn}.`)).toEqual([['US_SSN', ssn]]);
  });

  it.each(['000-12-3456', '666-12-3456', '900-12-3456', '987-65-4321', '123-00-4567', '123-45-0000', '123-45 6789', '123456789', '1123-45-6789'])(
    'should find nothing in %s',
    (text) => {
      expect(foundInText(`ssn ${text} here`)).toEqual([]);
    },
  );
});
