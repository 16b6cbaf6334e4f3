// The Redaction module's public surface: the Nest service (which counts redactions for the
// metrics), the per-run prompt sanitizer and its error, and the `redact` CLI command. The plain
// functions they are built on live in src/core/redaction.
export { PromptSanitizer } from './prompt-sanitizer';
export { PromptContainsPiiException, RedactionErrorCode } from './redaction.exception';
export { RedactionService } from './redaction.service';
export { RedactionModule } from './redaction.module';
export { runRedactCommand } from './redact.command';
export type { RedactCommandOptions } from './redact.command';
