// X's deletion duty: a stored copy of a tweet its author deleted on X must go. For every user with
// stored tweets and a usable X connection, the stored ids are looked up on X 100 at a time with
// that user's token, and the ones X reports as not found are hard-deleted, with an audit entry.
import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../../core/audit/audit.service';
import { maskUserIdForLog } from '../../core/logging/mask-user-id';
import { ConsentException } from '../consent/consent.exception';
import { TokenVaultService } from '../consent/token-vault.service';
import { RateLimitExceededException, RateLimitStoreUnavailableException } from '../../core/rate-limit/rate-limit.exception';
import { XCircuitOpenError } from './twitter.exception';
import { TwitterRepository } from './twitter.repository';
import { TWEET_LOOKUP_BATCH, XApiClient, XCredentials } from './x-api.client';

const USERS_PER_QUERY = 100;

export interface DeletionCheckResult {
  /** Users whose tweets were looked up on X. */
  usersChecked: number;
  /** Users skipped: no usable X connection (revoked, expired consent), so no token to ask X with. */
  usersSkipped: number;
  /** Users whose check stopped on an error (rate limit, X refusing); they are checked again next time. */
  usersFailed: number;
  tweetsChecked: number;
  tweetsDeleted: number;
  /** True when the circuit breaker opened and the remaining users were left for the next run. */
  stoppedEarly: boolean;
  [key: string]: unknown;
}

@Injectable()
export class TwitterDeletionService {
  private readonly logger = new Logger('TwitterDeletion');

  constructor(
    private readonly tweets: TwitterRepository,
    private readonly vault: TokenVaultService,
    private readonly x: XApiClient,
    private readonly audit: AuditService,
  ) {}

  async removeTweetsDeletedOnX(): Promise<DeletionCheckResult> {
    const result: DeletionCheckResult = {
      usersChecked: 0,
      usersSkipped: 0,
      usersFailed: 0,
      tweetsChecked: 0,
      tweetsDeleted: 0,
      stoppedEarly: false,
    };
    let afterUserId = '';
    for (;;) {
      const userIds = await this.tweets.usersWithTweets(afterUserId, USERS_PER_QUERY);
      if (userIds.length === 0) return result;
      for (const userId of userIds) {
        const outcome = await this.checkUser(userId);
        switch (outcome.kind) {
          case 'checked':
            result.usersChecked += 1;
            result.tweetsChecked += outcome.checked;
            result.tweetsDeleted += outcome.deleted;
            break;
          case 'skipped':
            result.usersSkipped += 1;
            break;
          case 'failed':
            result.usersFailed += 1;
            break;
          case 'circuit_open':
            result.usersFailed += 1;
            result.stoppedEarly = true;
            return result;
        }
      }
      afterUserId = userIds[userIds.length - 1] as string;
    }
  }

  private async checkUser(
    userId: string,
  ): Promise<{ kind: 'checked'; checked: number; deleted: number } | { kind: 'skipped' | 'failed' | 'circuit_open' }> {
    let credentials: XCredentials;
    try {
      const token = await this.vault.getAccessToken(userId);
      credentials = { accessToken: token.accessToken, providerUserId: token.providerUserId };
    } catch (error) {
      // No consent, revoked or expired: there is no token to ask X with (and the data of revoked
      // consent is removed by retention). A failed refresh is recorded by the vault.
      if (error instanceof ConsentException) return { kind: 'skipped' };
      throw error;
    }

    let checked = 0;
    let deleted = 0;
    try {
      let afterTweetId = '';
      for (;;) {
        const ids = await this.tweets.tweetIdsOf(userId, afterTweetId, TWEET_LOOKUP_BATCH);
        if (ids.length === 0) break;
        const { notFound } = await this.x.lookupTweets(userId, credentials, ids);
        deleted += await this.tweets.hardDelete(userId, [...notFound]);
        checked += ids.length;
        afterTweetId = ids[ids.length - 1] as string;
      }
    } catch (error) {
      const masked = maskUserIdForLog(userId);
      if (error instanceof XCircuitOpenError) {
        this.logger.warn({ msg: 'X deletion check stopped: circuit breaker open', userId: masked });
        await this.auditDeleted(userId, checked, deleted);
        return { kind: 'circuit_open' };
      }
      if (!(error instanceof RateLimitExceededException || error instanceof RateLimitStoreUnavailableException)) {
        this.logger.warn({ msg: 'X deletion check failed for a user', userId: masked, err: error });
      }
      await this.auditDeleted(userId, checked, deleted);
      return { kind: 'failed' };
    }
    await this.auditDeleted(userId, checked, deleted);
    return { kind: 'checked', checked, deleted };
  }

  /** One entry per user whose copies were removed (a check that removed nothing leaves no entry). */
  private async auditDeleted(userId: string, checked: number, deleted: number): Promise<void> {
    if (deleted === 0) return;
    await this.audit.audit(userId, 'Tweets deleted on X removed', 'twitter', { checked, deleted });
  }
}
