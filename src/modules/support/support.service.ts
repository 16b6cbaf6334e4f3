import { dailyLimitRetryAfterSeconds, dayWindowStart } from '../../core/util/daily-limit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../../core/audit/audit.service';
import { Clock } from '../../core/clock/clock';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { CreateTicketDto } from './dto/create-ticket.dto';
import { TicketDto } from './dto/ticket.dto';
import { SupportTicket } from './entities/support-ticket.entity';
import { SupportTicketDailyLimitException } from './support.exception';
import { SupportRepository } from './support.repository';

const LIST_LIMIT = 100;

@Injectable()
export class SupportService {
  constructor(
    private readonly em: EntityManager,
    private readonly tickets: SupportRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** At most SUPPORT_TICKETS_PER_DAY tickets per person in 24 hours, decided under a per-user lock. */
  async createTicket(userId: string, dto: CreateTicketDto): Promise<TicketDto> {
    const now = this.clock.now();
    // Built, not `em.create`d: the repository inserts it sealed, and this plain copy is the answer.
    const ticket = Object.assign(new SupportTicket(), { userId, subject: dto.subject, body: dto.body, createdAt: now });
    await this.em.transactional(async (em) => {
      await this.tickets.lockUserTickets(em, userId);
      const limit = this.config.dailyLimits.supportTickets;
      const recent = await this.tickets.createdSince(em, userId, dayWindowStart(now), limit);
      const retryAfter = dailyLimitRetryAfterSeconds(recent, limit, now);
      if (retryAfter !== null) throw new SupportTicketDailyLimitException(limit, retryAfter);
      await this.tickets.insert(em, ticket);
      await this.audit.audit(userId, 'Support ticket created', 'support_tickets', { ticketId: ticket.id });
    });
    return TicketDto.from(ticket);
  }

  async listTickets(userId: string): Promise<TicketDto[]> {
    const tickets = await this.tickets.listForUser(userId, LIST_LIMIT, TicketDto.FIELDS);
    return tickets.map((ticket) => TicketDto.from(ticket));
  }
}
