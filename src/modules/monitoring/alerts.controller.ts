import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../core/auth/auth.decorators';
import { AlertRouter } from './alert-routing';
import { AlertsService } from './alerts.service';
import { AlertDto } from './dto/alert.dto';
import { AlertRoutesDto } from './dto/alert-routes.dto';
import { ListAlertsQueryDto } from './dto/list-alerts-query.dto';

@ApiTags('admin')
@Controller('api/admin/alerts')
@Authenticated({ admin: true })
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly router: AlertRouter,
  ) {}

  @Get()
  @ApiOkResponse({ type: [AlertDto], description: 'Alerts, most recently seen first' })
  async list(@Query() query: ListAlertsQueryDto): Promise<AlertDto[]> {
    return (await this.alerts.listAlerts(query)).map((alert) => AlertDto.from(alert));
  }

  @Get('routes')
  @ApiOkResponse({ type: AlertRoutesDto, description: 'The alert routing table in force and the channels configured here' })
  routes(): AlertRoutesDto {
    return this.router.describe();
  }
}
