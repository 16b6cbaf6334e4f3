import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../../core/audit/audit.service';
import { Clock } from '../../core/clock/clock';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { listQuery } from '../../core/database/list-query';
import { CreateTicketDto } from './dto/create-ticket.dto';
import { TicketDto } from './dto/ticket.dto';
import { SupportTicket } from './entities/support-ticket.entity';
import { SupportTicketDailyLimitError } from './support.exception';

const LIST_LIMIT = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

@Injectable()
export class SupportService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** At most SUPPORT_TICKETS_PER_DAY tickets per person in 24 hours, decided under a per-user lock. */
  async createTicket(userId: string, dto: CreateTicketDto): Promise<TicketDto> {
    const now = this.clock.now();
    const ticket = this.em.create(SupportTicket, { userId, subject: dto.subject, body: dto.body, createdAt: now });
    await this.em.transactional(async (em) => {
      await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`support-ticket:${userId}`]);
      const limit = this.config.dailyLimits.supportTickets;
      const recent = await em.execute<{ created_at: Date }[]>(
        'select created_at from support_tickets where user_id = ? and created_at > ? order by created_at desc limit ?',
        [userId, new Date(now.getTime() - DAY_MS), limit],
      );
      if (recent.length >= limit) {
        const oldest = new Date(recent[recent.length - 1].created_at);
        throw new SupportTicketDailyLimitError(limit, Math.ceil((oldest.getTime() + DAY_MS - now.getTime()) / 1000));
      }
      em.persist(ticket);
      await em.flush();
      await this.audit.audit(userId, 'Support ticket created', 'support_tickets', { ticketId: ticket.id });
    });
    return TicketDto.from(ticket);
  }

  async listTickets(userId: string): Promise<TicketDto[]> {
    const list = listQuery(this.em, SupportTicket, TicketDto.FIELDS).ownedBy(userId);
    list.query.orderBy(list.column('createdAt'), 'desc').limit(LIST_LIMIT);
    const tickets = await list.rows();
    return tickets.map((ticket) => TicketDto.from(ticket));
  }
}
