// Legal holds: an operator's record that the law requires keeping a person's data. While one is
// active, delete-my-data is refused (LEGAL_HOLD) and the retention cleanup skips the person.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../../core/audit/audit.service';
import { Clock } from '../../core/clock/clock';
import { isUuid } from '../../core/util/is-uuid';
import { LegalHoldDto, PlaceLegalHoldDto } from './dto/legal-hold.dto';
import { LegalHold } from './entities/legal-hold.entity';
import { LegalHoldAlreadyLiftedException, LegalHoldNotFoundException } from './data-requests.exception';
import { LegalHoldsRepository } from './legal-holds.repository';

const AUDIT_CATEGORY = 'legal_holds';
const LIST_LIMIT = 200;

@Injectable()
export class LegalHoldsService {
  constructor(
    private readonly em: EntityManager,
    private readonly holds: LegalHoldsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async place(adminId: string, dto: PlaceLegalHoldDto): Promise<LegalHoldDto> {
    const now = this.clock.now();
    // Not `em.create`, which would also persist it on the next flush of this context.
    const hold = Object.assign(new LegalHold(), {
      userId: dto.userId,
      reason: dto.reason,
      placedBy: adminId,
      placedAt: now,
      until: dto.until ? new Date(dto.until) : null,
    });
    await this.em.transactional(async (em) => {
      await this.holds.insert(em, hold);
      await this.audit.audit(dto.userId, 'Legal hold placed', AUDIT_CATEGORY, { holdId: hold.id, placedBy: adminId, until: dto.until ?? null });
    });
    return LegalHoldDto.from(hold, now);
  }

  async lift(adminId: string, id: string): Promise<LegalHoldDto> {
    const hold = isUuid(id) ? await this.holds.findById(id) : null;
    if (!hold) throw new LegalHoldNotFoundException();
    const now = this.clock.now();
    await this.em.transactional(async (em) => {
      if (!(await this.holds.lift(em, id, adminId, now))) throw new LegalHoldAlreadyLiftedException();
      await this.audit.audit(hold.userId, 'Legal hold lifted', AUDIT_CATEGORY, { holdId: id, liftedBy: adminId });
    });
    return LegalHoldDto.from({ ...hold, liftedAt: now, liftedBy: adminId }, now);
  }

  async list(userId?: string): Promise<LegalHoldDto[]> {
    const now = this.clock.now();
    return (await this.holds.list(userId, LIST_LIMIT)).map((hold) => LegalHoldDto.from(hold, now));
  }

  isHeld(em: EntityManager, userId: string): Promise<boolean> {
    return this.holds.isHeld(em, userId, this.clock.now());
  }

  heldUserIds(em: EntityManager): Promise<string[]> {
    return this.holds.heldUserIds(em, this.clock.now());
  }
}
