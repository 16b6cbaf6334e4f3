import { Global, Module } from '@nestjs/common';
import { RedactionService } from './redaction.service';

// Global: every module logs, audits or builds prompts, and none should have to import this.
@Global()
@Module({
  providers: [RedactionService],
  exports: [RedactionService],
})
export class RedactionModule {}
