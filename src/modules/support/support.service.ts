import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../../core/audit/audit.service';
import { Clock } from '../../core/clock/clock';
import { listQuery } from '../../core/database/list-query';
import { CreateTicketDto } from './dto/create-ticket.dto';
import { TicketDto } from './dto/ticket.dto';
import { SupportTicket } from './entities/support-ticket.entity';

const LIST_LIMIT = 100;

@Injectable()
export class SupportService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async createTicket(userId: string, dto: CreateTicketDto): Promise<TicketDto> {
    const ticket = this.em.create(SupportTicket, { userId, subject: dto.subject, body: dto.body, createdAt: this.clock.now() });
    await this.em.transactional(async (em) => {
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
