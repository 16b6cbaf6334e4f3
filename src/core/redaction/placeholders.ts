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
  private readonly placeholders = new Map<string, string>();
  private readonly countsByLabel: Partial<Record<string, number>> = {};

  replacementFor(type: EntityType, value: string): string {
    const identity = identityOf(type, value);
    const known = this.placeholders.get(identity);
    if (known !== undefined) return known;
    const label = PLACEHOLDER_LABEL[type];
    const number = (this.countsByLabel[label] ?? 0) + 1;
    this.countsByLabel[label] = number;
    const placeholder = `[${label}_${number}]`;
    this.placeholders.set(identity, placeholder);
    return placeholder;
  }
}
