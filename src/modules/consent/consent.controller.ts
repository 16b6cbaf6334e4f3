import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../../core/auth/auth.decorators';
import { AuthenticatedUser } from '../../core/auth/authenticated-user';
import { ConsentService } from './consent.service';
import { ConsentStatusDto } from './dto/consent-status.dto';

@ApiTags('consent')
@Controller('api/consent')
@Authenticated()
export class ConsentController {
  constructor(private readonly consent: ConsentService) {}

  @Get()
  @ApiOkResponse({ type: ConsentStatusDto })
  getStatus(@CurrentUser() user: AuthenticatedUser): Promise<ConsentStatusDto> {
    return this.consent.getStatus(user.id);
  }
}
