// Free-text redaction: the function the logger, the CLI and the prompt builder all end in.
import { detectEntities } from './detect-entities';
import { DetectedEntity, RedactionProfile, RedactionResult } from './entity-type';
import { applyNumberedPlaceholders, applyReplacements, PlaceholderRegistry, Replacer, TYPE_NAME_PLACEHOLDERS, typeNameReplacer } from './placeholders';

export function replacerFor(profile: RedactionProfile): Replacer {
  return profile === 'log' ? typeNameReplacer : new PlaceholderRegistry();
}

/** applyReplacements with the type names of the log profile, which need no value cut out of the text. */
function applyTypeNames(text: string, entities: readonly DetectedEntity[]): string {
  let output = '';
  let copiedUpTo = 0;
  for (const { type, start, end } of entities) {
    output += text.slice(copiedUpTo, start) + TYPE_NAME_PLACEHOLDERS[type];
    copiedUpTo = end;
  }
  return output + text.slice(copiedUpTo);
}

/** Redacts with an explicit replacer, so several texts can share one set of placeholders. */
export function redactTextWith(text: string, profile: RedactionProfile, replacer: Replacer): RedactionResult {
  const entities = detectEntities(text, profile);
  return { text: applyReplacements(text, entities, replacer), entities };
}

/**
 * `log`: every entity but MENTION becomes `[TYPE]`. `prompt`: every entity, MENTION included,
 * becomes a numbered placeholder (`[USER_1]`, `[EMAIL_1]`) that is stable within this call.
 * Entity offsets point into the input text.
 */
export function redactText(text: string, profile: RedactionProfile = 'log'): RedactionResult {
  const entities = detectEntities(text, profile);
  // Most texts hold nothing to redact: they need no placeholder registry.
  if (entities.length === 0) return { text, entities };
  return { text: profile === 'log' ? applyTypeNames(text, entities) : applyNumberedPlaceholders(text, entities), entities };
}
