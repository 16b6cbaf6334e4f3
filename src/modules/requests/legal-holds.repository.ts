import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { LegalHold } from './entities/legal-hold.entity';

/** Not lifted, and either without an end or ending after `now`. */
const activeAt = (now: Date) => ({ liftedAt: null, $or: [{ until: null }, { until: { $gt: now } }] });

@Injectable()
export class LegalHoldsRepository {
  constructor(private readonly em: EntityManager) {}

  async insert(em: EntityManager, hold: LegalHold): Promise<void> {
    await em.insert(LegalHold, hold);
  }

  findById(id: string): Promise<LegalHold | null> {
    return this.em.fork().findOne(LegalHold, { id });
  }

  list(userId: string | undefined, limit: number): Promise<LegalHold[]> {
    return this.em.fork().find(LegalHold, userId ? { userId } : {}, { orderBy: { placedAt: 'desc', id: 'desc' }, limit });
  }

  /** Lifts an active hold atomically; false when it was already lifted. */
  async lift(em: EntityManager, id: string, liftedBy: string, liftedAt: Date): Promise<boolean> {
    return (await em.nativeUpdate(LegalHold, { id, liftedAt: null }, { liftedAt, liftedBy })) === 1;
  }

  /** Read inside the erasure's transaction when given one, so a hold placed meanwhile is seen. */
  async isHeld(em: EntityManager, userId: string, now: Date): Promise<boolean> {
    return (await em.count(LegalHold, { userId, ...activeAt(now) })) > 0;
  }

  /** The people under an active hold (few: holds are rare and placed by hand). */
  async heldUserIds(em: EntityManager, now: Date): Promise<string[]> {
    const holds = await em.find(LegalHold, activeAt(now), { fields: ['userId'] });
    return [...new Set(holds.map((hold) => hold.userId))];
  }
}
