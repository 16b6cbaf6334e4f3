// What an entity is replaced with. Logs get the bare type; prompts get numbered placeholders
// that keep "the same person again" visible to the model without saying who.
import { EntityType } from './entity-type';

export interface Replacer {
  replacementFor(type: EntityType, value: string): string;
}

export const typeNameReplacer: Replacer = {
  replacementFor: (type) => `[${type}]`,
};

const PLACEHOLDER_LABEL: Record<EntityType, string> = {
  EMAIL: 'EMAIL',
  PHONE: 'PHONE',
  IP_ADDRESS: 'IP_ADDRESS',
  CREDIT_CARD: 'CREDIT_CARD',
  IBAN: 'IBAN',
  US_SSN: 'US_SSN',
  URL: 'URL',
  SECRET: 'SECRET',
  MENTION: 'USER',
};

/** Handles and email addresses are case-insensitive, so @Alice and @alice are one person. */
function identityOf(type: EntityType, value: string): string {
  const normalized = type === 'MENTION' || type === 'EMAIL' ? value.toLowerCase() : value;
  return `${type}\u0000${normalized}`;
}

/** Numbered placeholders, the same one for the same value for as long as the registry lives. */
export class PlaceholderRegistry implements Replacer {
  // Most texts hold one entity: its placeholder is kept aside and the map made only for a second
  // value (a registry per prompt text is made for every text with an entity).
  private firstIdentity: string | undefined;
  private firstPlaceholder = '';
  private placeholders: Map<string, string> | undefined;
  private readonly countsByType: Record<EntityType, number> = {
    EMAIL: 0,
    PHONE: 0,
    IP_ADDRESS: 0,
    CREDIT_CARD: 0,
    IBAN: 0,
    US_SSN: 0,
    URL: 0,
    SECRET: 0,
    MENTION: 0,
  };

  replacementFor(type: EntityType, value: string): string {
    const identity = identityOf(type, value);
    if (identity === this.firstIdentity) return this.firstPlaceholder;
    const known = this.placeholders?.get(identity);
    if (known !== undefined) return known;
    // Each label belongs to one type, so counting per type numbers each label.
    const placeholder = `[${PLACEHOLDER_LABEL[type]}_${++this.countsByType[type]}]`;
    if (this.firstIdentity === undefined) {
      this.firstIdentity = identity;
      this.firstPlaceholder = placeholder;
    } else {
      (this.placeholders ??= new Map()).set(identity, placeholder);
    }
    return placeholder;
  }
}
