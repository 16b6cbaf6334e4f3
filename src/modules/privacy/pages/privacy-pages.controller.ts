// The privacy pages and their static assets (the stylesheet and API client are shared with the
// operator console). Public: the pages hold no data; the scripts call the API with the person's
// bearer token.
import { applyDecorators, Controller, Get, Header, Inject, OnModuleInit } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Public } from '../../../core/auth/auth.decorators';
import { APP_CONFIG, AppConfig } from '../../../core/config/app-config';
import { PersonalDataMap } from '../../../core/personal-data';
import { retentionCategoriesOf } from '../../retention/retention-policy';
import { recordsOfProcessing } from '../records-of-processing';
import { SHARED_ASSET_PATHS } from './page-layout';
import { PRIVACY_ASSET_PATHS, renderDataRequests, renderPrivacyNotice, renderPrivacySettings, renderTerms } from './privacy-pages.templates';

/**
 * Scripts and styles come from this origin only, as files: no inline script or style can run, and
 * the pages can talk to this API only.
 */
export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ASSETS_DIR = join(__dirname, 'assets');

export function PageHeaders(contentType: string, cacheControl: string) {
  return applyDecorators(
    Header('Content-Type', contentType),
    Header('Content-Security-Policy', PAGE_CONTENT_SECURITY_POLICY),
    Header('X-Content-Type-Options', 'nosniff'),
    Header('Referrer-Policy', 'no-referrer'),
    Header('Cache-Control', cacheControl),
  );
}

export const HtmlPage = () => PageHeaders('text/html; charset=utf-8', 'no-store');

@ApiExcludeController()
@Controller()
@Public()
export class PrivacyPagesController implements OnModuleInit {
  private readonly settingsPage: string;
  private readonly terms: string;
  private privacyNotice = '';
  private readonly legal: AppConfig['legal'];
  private readonly recentSignInSeconds: number;
  private readonly dataRequests = renderDataRequests();
  private readonly stylesheet = readFileSync(join(ASSETS_DIR, 'privacy.css'), 'utf8');
  private readonly settingsScript = readFileSync(join(ASSETS_DIR, 'privacy-settings.js'), 'utf8');
  private readonly apiClientScript = readFileSync(join(ASSETS_DIR, 'api-client.js'), 'utf8');

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly personalData: PersonalDataMap,
  ) {
    this.settingsPage = renderPrivacySettings({ offerTokenField: config.mode === 'embedded', recentSignInSeconds: config.jwt.recentSignInSeconds });
    this.terms = renderTerms(config.legal);
    this.legal = config.legal;
    this.recentSignInSeconds = config.jwt.recentSignInSeconds;
  }

  /** Once every module's declarations exist: the tables come from the same map as erasure and export. */
  onModuleInit(): void {
    const tables = this.personalData.tables();
    this.privacyNotice = renderPrivacyNotice({
      categories: retentionCategoriesOf(tables),
      activities: recordsOfProcessing(tables, this.personalData.redisKeys()).activities,
      legal: this.legal,
      recentSignInSeconds: this.recentSignInSeconds,
    });
  }

  @Get('settings/privacy')
  @HtmlPage()
  settings(): string {
    return this.settingsPage;
  }

  @Get('privacy')
  @HtmlPage()
  privacy(): string {
    return this.privacyNotice;
  }

  @Get('data-requests')
  @HtmlPage()
  requests(): string {
    return this.dataRequests;
  }

  @Get('terms')
  @HtmlPage()
  termsOfService(): string {
    return this.terms;
  }

  @Get(PRIVACY_ASSET_PATHS.stylesheet)
  @PageHeaders('text/css; charset=utf-8', 'no-cache')
  css(): string {
    return this.stylesheet;
  }

  @Get(PRIVACY_ASSET_PATHS.settingsScript)
  @PageHeaders('text/javascript; charset=utf-8', 'no-cache')
  script(): string {
    return this.settingsScript;
  }

  /** Also loaded by the operator console's page. */
  @Get(SHARED_ASSET_PATHS.apiClient)
  @PageHeaders('text/javascript; charset=utf-8', 'no-cache')
  apiClient(): string {
    return this.apiClientScript;
  }
}
