import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../core/auth/auth.decorators';
import { Clock } from '../../core/clock/clock';
import { PersonalDataMap } from '../../core/personal-data';
import { RecordsOfProcessingDto } from './dto/records-of-processing.dto';
import { recordsOfProcessing } from './records-of-processing';

@ApiTags('admin')
@Controller('api/admin/records-of-processing')
@Authenticated({ admin: true })
export class RecordsOfProcessingController {
  constructor(
    private readonly personalData: PersonalDataMap,
    private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOkResponse({ type: RecordsOfProcessingDto, description: 'The GDPR Art. 30 record, generated from the personal-data map' })
  get(): RecordsOfProcessingDto {
    return {
      generatedAt: this.clock.now().toISOString(),
      ...recordsOfProcessing(this.personalData.tables(), this.personalData.redisKeys()),
    };
  }
}
