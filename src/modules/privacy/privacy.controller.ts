import { Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiInternalServerErrorResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated, CurrentUser, RequiresRecentSignIn } from '../../core/auth/auth.decorators';
import { AuthenticatedUser } from '../../core/auth/authenticated-user';
import { DataErasureService } from './data-erasure.service';
import { DeleteMyDataResultDto } from './dto/delete-my-data.dto';

@ApiTags('privacy')
@Controller('api/privacy')
@Authenticated()
export class PrivacyController {
  constructor(private readonly erasure: DataErasureService) {}

  @Post('delete-my-data')
  @RequiresRecentSignIn()
  @HttpCode(200)
  @ApiOkResponse({ type: DeleteMyDataResultDto, description: 'Counts of what was deleted; calling it again deletes nothing more' })
  @ApiConflictResponse({ description: '`LEGAL_HOLD`: the data must be kept under a legal obligation; nothing was deleted and the request is recorded as refused' })
  @ApiInternalServerErrorResponse({ type: DeleteMyDataResultDto, description: '`{ ok: false, error }`: nothing was deleted' })
  async deleteMyData(@CurrentUser() user: AuthenticatedUser, @Res({ passthrough: true }) response: Response): Promise<DeleteMyDataResultDto> {
    const result = await this.erasure.deleteMyData(user.id);
    if (!result.ok) response.status(500);
    return result;
  }
}
