import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiGoneResponse, ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { Authenticated, CurrentUser, Public } from '../../core/auth/auth.decorators';
import { AuthenticatedUser } from '../../core/auth/authenticated-user';
import { DownloadQueryDto, ExportStartedDto, ExportStatusDto } from './dto/export.dto';
import { ExportService } from './export.service';

@ApiTags('privacy')
@Controller('api/privacy')
export class ExportController {
  constructor(private readonly exports: ExportService) {}

  @Post('export')
  @Authenticated()
  @HttpCode(202)
  @ApiAcceptedResponse({ type: ExportStartedDto, description: 'The export is built by a run; poll its status' })
  requestExport(@CurrentUser() user: AuthenticatedUser): Promise<ExportStartedDto> {
    return this.exports.requestExport(user.id);
  }

  @Get('exports/:id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @Authenticated()
  @ApiOkResponse({ type: ExportStatusDto })
  @ApiNotFoundResponse({ description: 'No export of yours has that id' })
  status(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<ExportStatusDto> {
    return this.exports.getStatus(user.id, id);
  }

  /** Reached through the signed URL only: the signature is the authorisation. */
  @Get('exports/:id/download')
  @ApiParam({ name: 'id', format: 'uuid' })
  @Public()
  @ApiProduces('application/json')
  @ApiOkResponse({ description: 'The export file (one JSON document)' })
  @ApiGoneResponse({ description: 'The link has expired' })
  async download(@Param('id') id: string, @Query() query: DownloadQueryDto, @Res() response: Response): Promise<void> {
    const { stream, filename } = await this.exports.openDownload(id, query.expires, query.signature);
    response.setHeader('Cache-Control', 'no-store');
    response.attachment(filename);
    response.type('application/json');
    // Decrypted frame by frame on the way out; a frame that fails authentication ends the response.
    await pipeline(stream, response);
  }
}
