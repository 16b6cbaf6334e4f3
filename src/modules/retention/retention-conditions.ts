// Subqueries that personal-data declarations share in their retention rules (`expiredWhere`):
// the people whose consent or subscription ended before the cutoff (`?`). Constants, never input.

/** People who revoked their X consent before the cutoff. */
export const REVOKED_CONSENT_USERS = 'select o.user_id from oauth_tokens o where o.revoked_at is not null and o.revoked_at < ?';

/** People whose subscription was cancelled before the cutoff and who hold no active one. */
export const CANCELLED_SUBSCRIPTION_USERS = `select s.user_id from subscriptions s where s.cancelled_at is not null and s.cancelled_at < ?
  and not exists (select 1 from subscriptions a where a.user_id = s.user_id and a.status in ('active', 'trialing') and a.deleted_at is null)`;

/**
 * Rows of a person under an active legal hold (src/modules/requests) are kept whatever their age:
 * the hold is a legal obligation to keep them (GDPR Art. 17(3)(b), (e)). `column` is the declared
 * person column of the table (alias `t`). The hold's `until` is compared with the database's clock.
 */
export function excludingLegalHolds(condition: string, column: string): string {
  return `(${condition}) and not exists (select 1 from legal_holds h where h.user_id = t.${column} and h.lifted_at is null and (h.until is null or h.until > now()))`;
}
