// Signed download links: HMAC-SHA256 over the export id and the expiry, with EXPORT_SIGNING_KEY.
// The signature is compared in constant time; a tampered link and an expired one are told apart
// (403 vs 410) only after the signature checks out, so expiry cannot be probed with forged links.
import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';

export type LinkCheck = 'valid' | 'tampered' | 'expired';

@Injectable()
export class ExportSigner {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  downloadUrl(exportId: string, expiresAt: Date): string {
    const expires = String(expiresAt.getTime());
    const signature = this.sign(exportId, expires);
    return `${this.config.publicBaseUrl}/api/privacy/exports/${exportId}/download?expires=${expires}&signature=${signature}`;
  }

  check(exportId: string, expires: string | undefined, signature: string | undefined, nowMs: number): LinkCheck {
    if (!expires || !signature || !/^\d{1,16}$/.test(expires)) return 'tampered';
    const expected = Buffer.from(this.sign(exportId, expires));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'tampered';
    return Number(expires) <= nowMs ? 'expired' : 'valid';
  }

  private sign(exportId: string, expires: string): string {
    return createHmac('sha256', this.config.exportSigningKey).update(`${exportId}.${expires}`).digest('base64url');
  }
}
