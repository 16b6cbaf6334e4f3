// The vocabulary shared by the redaction functions, the Redaction module and their callers.

export const ENTITY_TYPES = [
  'EMAIL',
  'PHONE',
  'IP_ADDRESS',
  'CREDIT_CARD',
  'IBAN',
  'US_SSN',
  'URL',
  'SECRET',
  'MENTION',
] as const;

export type EntityType = (typeof ENTITY_TYPES)[number];

/** `log` for log records and audit details; `prompt` for text sent to an AI provider. */
export type RedactionProfile = 'log' | 'prompt';

/** A detected span; offsets are UTF-16 code-unit indices into the scanned text, `end` exclusive. */
export interface DetectedEntity {
  type: EntityType;
  start: number;
  end: number;
}

export interface RedactionResult {
  text: string;
  entities: DetectedEntity[];
}
