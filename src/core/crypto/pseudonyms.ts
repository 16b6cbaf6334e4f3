// Keyed hashes that must name no one: the same person always gets the same pseudonym, but without
// PSEUDONYM_KEY nobody can tell whose it is (a plain hash of a user id is reversed by hashing
// candidate ids). Used where a count or a record must outlive the person's erasure.
import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/app-config';

@Injectable()
export class Pseudonyms {
  constructor(@Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'pseudonymKey'>) {}

  /** HMAC-SHA256 of the user id under PSEUDONYM_KEY, base64url (43 characters). */
  of(userId: string): string {
    return createHmac('sha256', this.config.pseudonymKey).update(`user:${userId}`).digest('base64url');
  }
}
