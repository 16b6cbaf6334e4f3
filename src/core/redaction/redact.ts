// The redaction API: the one door every caller (the logger, ingestion, analysis, the prompt
// sanitizer, the CLI, the Nest RedactionService) goes through, so every redacted entity is
// counted in `redactionTally` by profile and type. The engine behind it (detectors, overlaps,
// placeholders) lives in the other files of this folder and counts nothing.
import { DetectedEntity, EntityType, RedactionProfile, RedactionResult } from './entity-type';
import { Replacer } from './placeholders';
import { ObjectRedactionOptions, redactObjectWith } from './redact-object';
import { redactText as redactTextOnce, redactTextWith as redactTextWithReplacer, replacerFor } from './redact-text';
import { redactionTally } from './redaction-tally';

function count(profile: RedactionProfile, entities: readonly DetectedEntity[]): void {
  for (const entity of entities) redactionTally.record(profile, entity.type);
}

/**
 * `log`: every entity but MENTION becomes `[TYPE]`. `prompt`: every entity, MENTION included,
 * becomes a numbered placeholder (`[USER_1]`, `[EMAIL_1]`) that is stable within this call.
 * Entity offsets point into the input text.
 */
export function redactText(text: string, profile: RedactionProfile = 'log'): RedactionResult {
  const result = redactTextOnce(text, profile);
  count(profile, result.entities);
  return result;
}

/** Redacts with an explicit replacer, so several texts can share one set of placeholders. */
export function redactTextWith(text: string, profile: RedactionProfile, replacer: Replacer): RedactionResult {
  const result = redactTextWithReplacer(text, profile, replacer);
  count(profile, result.entities);
  return result;
}

/**
 * A redacted deep copy: strings through `redactText`, credential-named keys to '[SECRET]',
 * errors to `{ name, message, stack, cause }`, binary data to '[Binary]', cycles to '[Circular]'
 * and objects nested deeper than MAX_REDACTION_DEPTH to '[Truncated]'. `onEntity` hears each
 * entity too (after it is counted).
 */
export function redactObject(
  value: unknown,
  profile: RedactionProfile = 'log',
  options: ObjectRedactionOptions = {},
  onEntity?: (type: EntityType) => void,
): unknown {
  return redactObjectWith(
    value,
    profile,
    replacerFor(profile),
    (type) => {
      redactionTally.record(profile, type);
      onEntity?.(type);
    },
    options,
  );
}
