import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiNotFoundResponse, ApiParam, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../../core/auth/auth.decorators';
import { AuthenticatedUser } from '../../core/auth/authenticated-user';
import { AdminUserRunsService } from './admin-user-runs.service';
import { StartUserRunDto, UserRunStartedDto } from './dto/start-user-run.dto';
import { UserIdParamPipe } from './user-id-param.pipe';

@ApiTags('admin')
@Controller('api/admin/users')
@Authenticated({ admin: true })
export class AdminUserRunsController {
  constructor(private readonly userRuns: AdminUserRunsService) {}

  @Post(':userId/runs')
  @HttpCode(202)
  @ApiParam({ name: 'userId', description: "The person's id (the token subject)", schema: { type: 'string', minLength: 1, maxLength: 255 } })
  @ApiAcceptedResponse({ type: UserRunStartedDto, description: "The person's run, under the rules that apply when they start it" })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: an unknown job, or a malformed user id' })
  @ApiNotFoundResponse({ description: 'USER_NOT_FOUND: no person with this id has used the API' })
  @ApiTooManyRequestsResponse({ description: 'QUOTA_EXCEEDED (analysis) or the export daily limit, as the person would get' })
  start(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('userId', UserIdParamPipe) userId: string,
    @Body() body: StartUserRunDto,
  ): Promise<UserRunStartedDto> {
    return this.userRuns.start(admin.id, userId, body.job);
  }
}
