// The operator console page and its two static assets. Public like the privacy pages: the page
// holds no data, its script calls the admin API with the operator's bearer token, and the API
// refuses anyone without the admin role.
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Public } from '../../../core/auth/auth.decorators';
import { APP_CONFIG, AppConfig } from '../../../core/config/app-config';
import { HtmlPage, PageHeaders } from '../../privacy/pages/privacy-pages.controller';
import { CONSOLE_ASSET_PATHS, renderRunsConsole } from './operator-console.templates';

const ASSETS_DIR = join(__dirname, 'assets');

@ApiExcludeController()
@Controller()
@Public()
export class OperatorConsolePagesController {
  private readonly page: string;
  private readonly stylesheet = readFileSync(join(ASSETS_DIR, 'console.css'), 'utf8');
  private readonly script = readFileSync(join(ASSETS_DIR, 'runs-console.js'), 'utf8');

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.page = renderRunsConsole({ offerTokenField: config.mode === 'embedded' });
  }

  @Get('admin/runs')
  @HtmlPage()
  runs(): string {
    return this.page;
  }

  @Get(CONSOLE_ASSET_PATHS.stylesheet)
  @PageHeaders('text/css; charset=utf-8', 'no-cache')
  css(): string {
    return this.stylesheet;
  }

  @Get(CONSOLE_ASSET_PATHS.script)
  @PageHeaders('text/javascript; charset=utf-8', 'no-cache')
  js(): string {
    return this.script;
  }
}
