import { foundInText } from '../testing/found-values';
import { matchIban, passesIbanChecksum } from './iban.detector';

describe(passesIbanChecksum.name, () => {
  it.each(['GB82WEST12345698765432', 'DE89370400440532013000', 'FR1420041010050500013M02606', 'NL91ABNA0417164300', 'BE68539007547034'])(
    'should accept %s',
    (iban) => {
      expect(passesIbanChecksum(iban)).toBe(true);
    },
  );

  it.each(['GB83WEST12345698765432', 'DE88370400440532013000', 'NL91ABNA0417164301'])('should reject %s', (iban) => {
    expect(passesIbanChecksum(iban)).toBe(false);
  });
});

describe(matchIban.name, () => {
  it('should take exactly the length of the country', () => {
    expect(matchIban('GB82 WEST 1234 5698 7654 32')).toEqual({ length: 27, checksumValid: true });
  });

  it.each([
    ['an unknown country', 'ZZ82WEST12345698765432'],
    ['too short for the country', 'GB82WEST123456987654'],
    ['running on into more characters', 'GB82WEST12345698765432X'],
    ['spaces inside a group', 'GB82 WES T123 4569 8765 432'],
  ])('should reject %s', (_case, candidate) => {
    expect(matchIban(candidate)).toBeNull();
  });
});

describe('ibanDetector', () => {
  it.each(['GB82 WEST 1234 5698 7654 32', 'GB82WEST12345698765432', 'DE89 3704 0044 0532 0130 00', 'FR14 2004 1010 0505 0001 3M02 606'])(
    'should find the IBAN %s',
    (iban) => {
      expect(foundInText(`send to ${iban}. Thanks`)).toEqual([['IBAN', iban]]);
    },
  );

  it('should find two IBANs written one after the other', () => {
    expect(foundInText('DE89370400440532013000 GB82 WEST 1234 5698 7654 32')).toEqual([
      ['IBAN', 'DE89370400440532013000'],
      ['IBAN', 'GB82 WEST 1234 5698 7654 32'],
    ]);
  });

  it.each([
    ['wrong check digits', 'GB83 WEST 1234 5698 7654 32'],
    ['wrong check digits, compact', 'DE88370400440532013000'],
    ['a changed account digit', 'DE89 3704 0044 0532 0130 01'],
  ])('should find nothing, not even a phone number or card inside, for %s', (_case, text) => {
    expect(foundInText(`iban ${text} ok`)).toEqual([]);
  });
});
