import { Controller, Get, Param } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { AUDIT_ENTRY_ID_PATTERN, AuditService } from './audit.service';
import { AuditChainReportDto, AuditEntryDto, AuditInclusionProofDto } from './dto/audit-entry.dto';

@ApiTags('audit')
@Controller()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('api/privacy/audit')
  @Authenticated()
  @ApiOkResponse({ type: [AuditEntryDto], description: 'Your own audit entries, newest first (at most 500)' })
  async listOwn(@CurrentUser() user: AuthenticatedUser): Promise<AuditEntryDto[]> {
    return (await this.audit.listForUser(user.id)).map((entry) => AuditEntryDto.from(entry));
  }

  @Get('api/admin/audit/verify')
  @Authenticated({ admin: true })
  @ApiOkResponse({ type: AuditChainReportDto, description: 'Whether every sealed batch and the recorded head check out, and what is not sealed yet' })
  verify(): Promise<AuditChainReportDto> {
    return this.audit.verifyAuditChain();
  }

  @Get('api/admin/audit/:id/proof')
  @Authenticated({ admin: true })
  @ApiParam({ name: 'id', description: 'Audit entry id (a positive integer)', schema: { type: 'string', pattern: AUDIT_ENTRY_ID_PATTERN }, example: '42' })
  @ApiOkResponse({ type: AuditInclusionProofDto, description: 'Inclusion proof of the entry in its sealed batch (RFC 9162)' })
  @ApiNotFoundResponse({ description: 'AUDIT_ENTRY_NOT_FOUND: no entry has this id' })
  @ApiConflictResponse({ description: 'AUDIT_ENTRY_NOT_SEALED: not sealed yet; AUDIT_PROOF_UNAVAILABLE: its batch fails verification' })
  proof(@Param('id') id: string): Promise<AuditInclusionProofDto> {
    return this.audit.proofOf(id);
  }
}
