import { foundByDetector, foundInText } from '../testing/found-values';
import { phoneDetector, plausiblePhoneEnds } from './phone.detector';

describe(plausiblePhoneEnds.name, () => {
  it('should end only after whole digit groups within the digit range', () => {
    expect(plausiblePhoneEnds('+44 20 7946 0958 12', { min: 8, max: 15 })).toEqual([11, 16, 19]);
  });

  it('should not count the (0) trunk marker', () => {
    expect(plausiblePhoneEnds('+44 (0)20 7946 0958', { min: 12, max: 12 })).toEqual([19]);
  });
});

describe('phoneDetector', () => {
  it.each([
    '+44 20 7946 0958',
    '+1-202-555-0143',
    '+1 (202) 555-0143',
    '+44 (0)20 7946 0958',
    '+442079460958',
    '+33 1 23 45 67 89',
    '(+44) 20 7946 0958',
    '(202) 555-0143',
    '202-555-0143',
    '202.555.0143',
    '202 555 0143',
    '1-800-555-0199',
    '020 7946 0958',
    '07700 900123',
    '(020) 7946 0958',
    '01 23 45 67 89',
    '0044 20 7946 0958',
    '030/12345678',
    '030 / 1234567',
    '(030) 12345678',
    '0171-1234567',
    '01.23.45.67.89',
    '06 1234 5678',
    '333 123 4567',
    '333-123-4567',
    '612 345 678',
    '912 34 56 78',
    '512 345 678',
    '12 345 67 89',
    '020-1234567',
  ])('should find the phone number %s', (phone) => {
    expect(foundInText(`call ${phone} today`)).toEqual([['PHONE', phone]]);
  });

  it.each([
    ['a bare short number', '5550143'],
    ['a four-digit number', '2024'],
    ['an ISO date', '2024-01-15'],
    ['a day-first date', '15/01/2024'],
    ['a dotted date', '15.01.2024'],
    ['a price', '$1,299.99'],
    ['a version', '1.2.3'],
    ['a prefixed version', 'v10.4.12'],
    ['a clock time', '12:30:45'],
    ['a plain year', 'in 1999'],
    ['a seven-digit local number', '555-0143'],
    ['too few digits after a country code', '+44 20 794'],
    ['too many digits for E.164', '+1234567890123456789'],
    ['a NANP number with a country code of the wrong length', '+1 202 555 01430'],
    ['a slashed date', '01/02/2024'],
    ['a slashed date with a day first', '31/12/2024'],
    ['groups that fit no numbering plan', '100 200 300'],
    ['too few digits in groups', '12 34 56 78'],
    ['a date with spaces', '2024 01 15'],
  ])('should find nothing in %s', (_case, text) => {
    expect(foundInText(`see ${text} ok`)).toEqual([]);
  });

  it('should find two numbers written one after the other', () => {
    expect(foundByDetector(phoneDetector, '020 2668 7338 07118 194379')).toEqual([
      ['PHONE', '020 2668 7338'],
      ['PHONE', '07118 194379'],
    ]);
  });

  it('should stop before a card number that follows without a word between', () => {
    expect(foundInText('+49 30 5609612 4111 1111 1111 1111')).toEqual([
      ['PHONE', '+49 30 5609612'],
      ['CREDIT_CARD', '4111 1111 1111 1111'],
    ]);
  });
});
