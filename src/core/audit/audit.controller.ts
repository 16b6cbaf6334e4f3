import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { AuditService } from './audit.service';
import { AuditChainReportDto, AuditEntryDto } from './dto/audit-entry.dto';

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
  @ApiOkResponse({ type: AuditChainReportDto, description: 'Whether the audit hash chain is intact' })
  verify(): Promise<AuditChainReportDto> {
    return this.audit.verifyAuditChain();
  }
}
