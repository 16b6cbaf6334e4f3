import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../../core/auth/auth.decorators';
import { AuthenticatedUser } from '../../core/auth/authenticated-user';
import { DataRequestsService } from './data-requests.service';
import { DataRequestDto, FileDataRequestDto } from './dto/data-request.dto';

/** A person's own data subject requests. */
@ApiTags('privacy')
@Controller('api/privacy/requests')
@Authenticated()
export class DataRequestsController {
  constructor(private readonly requests: DataRequestsService) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: DataRequestDto, description: 'Recorded with its legal deadline; an operator answers it' })
  @ApiTooManyRequestsResponse({ description: 'DATA_REQUEST_DAILY_LIMIT: 10 requests filed in the last 24 hours' })
  file(@CurrentUser() user: AuthenticatedUser, @Body() dto: FileDataRequestDto): Promise<DataRequestDto> {
    return this.requests.file(user.id, dto);
  }

  @Get()
  @ApiOkResponse({ type: [DataRequestDto], description: 'Your requests (exports and deletions included), newest first (at most 100)' })
  list(@CurrentUser() user: AuthenticatedUser): Promise<DataRequestDto[]> {
    return this.requests.listOwn(user.id);
  }
}
