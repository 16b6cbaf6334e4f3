import { ApiProperty } from '@nestjs/swagger';
import { AlertKind } from '../checks/alert-condition';
import type { AlertSeverity } from '../checks/alert-condition';
import { ALERT_CHANNEL_NAMES } from '../entities/alert-delivery.entity';
import type { AlertChannelName } from '../entities/alert-delivery.entity';

export class AlertChannelStatusDto {
  @ApiProperty({ enum: ALERT_CHANNEL_NAMES }) name!: AlertChannelName;
  @ApiProperty({ description: 'Whether its variables are set on this instance' }) configured!: boolean;
}

export class SeverityRouteDto {
  @ApiProperty({ enum: ['info', 'warning', 'critical'] }) severity!: AlertSeverity;
  @ApiProperty({ enum: ALERT_CHANNEL_NAMES, isArray: true, description: 'The channels the table names' }) channels!: AlertChannelName[];
  @ApiProperty({
    enum: ALERT_CHANNEL_NAMES,
    isArray: true,
    description: 'The channels that get such alerts here: the named ones that are configured, or every configured one when none of them is',
  })
  deliveredTo!: AlertChannelName[];
}

export class KindRouteDto {
  @ApiProperty({ enum: AlertKind }) kind!: AlertKind;
  @ApiProperty({ enum: ALERT_CHANNEL_NAMES, isArray: true }) channels!: AlertChannelName[];
  @ApiProperty({ enum: ALERT_CHANNEL_NAMES, isArray: true }) deliveredTo!: AlertChannelName[];
}

export class AlertRoutesDto {
  @ApiProperty({ type: [AlertChannelStatusDto] }) channels!: AlertChannelStatusDto[];
  @ApiProperty({ type: [SeverityRouteDto], description: 'Routes by severity, for kinds without a route of their own' }) severities!: SeverityRouteDto[];
  @ApiProperty({ type: [KindRouteDto], description: 'Kinds routed apart from their severity (compliance incidents, failing channels)' })
  kinds!: KindRouteDto[];
  @ApiProperty({ enum: ['default', 'ALERT_ROUTES'], description: 'Whether ALERT_ROUTES replaced entries of the default table' })
  source!: 'default' | 'ALERT_ROUTES';
  @ApiProperty({ description: 'An alert still open is announced again after this many minutes (0: never); PagerDuty gets no reminders' })
  reminderIntervalMinutes!: number;
}
