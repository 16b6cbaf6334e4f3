import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../core/auth/auth.decorators';
import { AlertsService } from './alerts.service';
import { AlertDto } from './dto/alert.dto';
import { ListAlertsQueryDto } from './dto/list-alerts-query.dto';

@ApiTags('admin')
@Controller('api/admin/alerts')
@Authenticated({ admin: true })
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiOkResponse({ type: [AlertDto], description: 'Alerts, most recently seen first' })
  async list(@Query() query: ListAlertsQueryDto): Promise<AlertDto[]> {
    return (await this.alerts.listAlerts(query)).map((alert) => AlertDto.from(alert));
  }
}
