import { foundInText } from '../testing/found-values';
import { findCardInGroups, passesLuhn } from './credit-card.detector';

describe(passesLuhn.name, () => {
  it.each(['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '4222222222222'])(
    'should accept %s',
    (digits) => {
      expect(passesLuhn(digits)).toBe(true);
    },
  );

  it.each(['4111111111111112', '5555555555554445', '378282246310006', '1234567890123456'])('should reject %s', (digits) => {
    expect(passesLuhn(digits)).toBe(false);
  });
});

describe(findCardInGroups.name, () => {
  it('should find a card written after another number', () => {
    const candidate = '2024 4111 1111 1111 1111';
    const { card } = findCardInGroups(candidate);
    expect(card && candidate.slice(card.start, card.end)).toBe('4111 1111 1111 1111');
  });

  it('should report a Luhn-invalid card layout as a look-alike', () => {
    expect(findCardInGroups('4111 1111 1111 1112')).toEqual({ card: null, lookAlike: { start: 0, end: 19 } });
  });
});

describe('creditCardDetector', () => {
  it.each([
    '4111111111111111',
    '4111 1111 1111 1111',
    '4111-1111-1111-1111',
    '5555 5555 5555 4444',
    '3782 822463 10005',
    '6011111111111117',
    '4222222222222',
    '6250 9410 0652 8599 016',
  ])('should find the card %s', (card) => {
    expect(foundInText(`paid with ${card}, thanks`)).toEqual([['CREDIT_CARD', card]]);
  });

  it('should find a card followed by its CVV', () => {
    expect(foundInText('card 4111 1111 1111 1111 123 exp')).toEqual([['CREDIT_CARD', '4111 1111 1111 1111']]);
  });

  it.each([
    ['a Luhn-invalid card', '4111 1111 1111 1112'],
    ['a Luhn-invalid compact card', '5555555555554445'],
    ['a Luhn-invalid Amex', '3782 822463 10006'],
    ['a 19-digit tweet id', '1790000000000000000'],
    ['too few digits', '4111 1111 1111'],
    ['mixed separators', '4111-1111 1111-1111'],
    ['a Luhn-invalid card holding a trunk-0 phone shape', '4111 0207 9460 9581'],
  ])('should find nothing in %s', (_case, text) => {
    expect(foundInText(`number ${text} here`)).toEqual([]);
  });
});
