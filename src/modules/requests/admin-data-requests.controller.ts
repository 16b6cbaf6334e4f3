import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../../core/auth/auth.decorators';
import { AuthenticatedUser } from '../../core/auth/authenticated-user';
import { Clock } from '../../core/clock/clock';
import { DataRequestsService, RequestDecision } from './data-requests.service';
import { AdminDataRequestDto, ListDataRequestsQueryDto, RequestDecisionDto } from './dto/data-request.dto';
import { LegalHoldDto, PlaceLegalHoldDto } from './dto/legal-hold.dto';
import { LegalHoldsService } from './legal-holds.service';

/** The privacy team's side: every request with its deadline, and legal holds. */
@ApiTags('admin')
@Controller('api/admin')
@Authenticated({ admin: true })
export class AdminDataRequestsController {
  constructor(
    private readonly requests: DataRequestsService,
    private readonly holds: LegalHoldsService,
    private readonly clock: Clock,
  ) {}

  @Get('requests')
  @ApiOkResponse({ type: [AdminDataRequestDto], description: 'Newest first; page with `before` = the last id' })
  list(@Query() query: ListDataRequestsQueryDto): Promise<AdminDataRequestDto[]> {
    return this.requests.list(query);
  }

  @Post('requests/:id/extend')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: AdminDataRequestDto, description: 'Extended once, to two more months (GDPR) or 45 more days (CCPA); the person is told the new date' })
  @ApiNotFoundResponse({ description: 'DATA_REQUEST_NOT_FOUND' })
  @ApiConflictResponse({ description: 'DATA_REQUEST_CLOSED, DATA_REQUEST_ALREADY_EXTENDED or DATA_REQUEST_EXTENSION_TOO_LATE' })
  async extend(@CurrentUser() admin: AuthenticatedUser, @Param('id') id: string, @Body() dto: RequestDecisionDto): Promise<AdminDataRequestDto> {
    return this.answer(await this.requests.extend(admin.id, id, dto.reason));
  }

  @Post('requests/:id/complete')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: AdminDataRequestDto, description: 'Completed; the person is told, with the reason' })
  @ApiNotFoundResponse({ description: 'DATA_REQUEST_NOT_FOUND' })
  @ApiConflictResponse({ description: 'DATA_REQUEST_CLOSED: already completed or refused' })
  async complete(@CurrentUser() admin: AuthenticatedUser, @Param('id') id: string, @Body() dto: RequestDecisionDto): Promise<AdminDataRequestDto> {
    return this.answer(await this.requests.complete(admin.id, id, dto.reason));
  }

  @Post('requests/:id/refuse')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: AdminDataRequestDto, description: 'Refused; the person is told, with the reason' })
  @ApiNotFoundResponse({ description: 'DATA_REQUEST_NOT_FOUND' })
  @ApiConflictResponse({ description: 'DATA_REQUEST_CLOSED: already completed or refused' })
  async refuse(@CurrentUser() admin: AuthenticatedUser, @Param('id') id: string, @Body() dto: RequestDecisionDto): Promise<AdminDataRequestDto> {
    return this.answer(await this.requests.refuse(admin.id, id, dto.reason));
  }

  @Get('legal-holds')
  @ApiOkResponse({ type: [LegalHoldDto], description: 'Every hold, active and lifted, newest first (at most 200)' })
  listHolds(): Promise<LegalHoldDto[]> {
    return this.holds.list();
  }

  @Post('legal-holds')
  @HttpCode(201)
  @ApiCreatedResponse({ type: LegalHoldDto, description: 'While active, the person’s data is neither erased nor expired' })
  placeHold(@CurrentUser() admin: AuthenticatedUser, @Body() dto: PlaceLegalHoldDto): Promise<LegalHoldDto> {
    return this.holds.place(admin.id, dto);
  }

  @Delete('legal-holds/:id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: LegalHoldDto, description: 'Lifted (kept as history)' })
  @ApiNotFoundResponse({ description: 'LEGAL_HOLD_NOT_FOUND' })
  @ApiConflictResponse({ description: 'LEGAL_HOLD_ALREADY_LIFTED' })
  liftHold(@CurrentUser() admin: AuthenticatedUser, @Param('id') id: string): Promise<LegalHoldDto> {
    return this.holds.lift(admin.id, id);
  }

  private answer({ request }: RequestDecision): AdminDataRequestDto {
    return AdminDataRequestDto.forAdmin(request, this.clock.now());
  }
}
