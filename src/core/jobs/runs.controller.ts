import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { ListRunsQueryDto } from './dto/list-runs-query.dto';
import { RunLogDto } from './dto/run-log.dto';
import { RunDto } from './dto/run.dto';
import { RunsService } from './runs.service';

@ApiTags('runs')
@Controller('api/runs')
@Authenticated()
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Get()
  @ApiOkResponse({ type: [RunDto], description: 'Your runs, newest first; page with `before` = the last id' })
  async list(@CurrentUser() user: AuthenticatedUser, @Query() query: ListRunsQueryDto): Promise<RunDto[]> {
    return (await this.runs.listRuns(user.id, query)).map((run) => RunDto.from(run));
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: RunDto })
  @ApiNotFoundResponse({ description: 'RUN_NOT_FOUND: no run of yours has this id' })
  async get(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<RunDto> {
    return RunDto.from(await this.runs.getRun(user.id, id));
  }

  @Get(':id/logs')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: [RunLogDto], description: 'The run log (redacted), oldest first' })
  @ApiNotFoundResponse({ description: 'RUN_NOT_FOUND: no run of yours has this id' })
  async logs(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<RunLogDto[]> {
    return (await this.runs.listRunLogs(user.id, id)).map((log) => RunLogDto.from(log));
  }
}
