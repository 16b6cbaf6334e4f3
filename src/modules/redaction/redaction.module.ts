import { Module } from '@nestjs/common';
import { RedactionService } from './redaction.service';

/**
 * `RedactionService` for the modules that inject it (Analysis' prompts, Monitoring's metrics).
 * The logger calls the redaction functions directly, so nothing else needs this module.
 */
@Module({
  providers: [RedactionService],
  exports: [RedactionService],
})
export class RedactionModule {}
