import { ApiProperty } from '@nestjs/swagger';
import { SupportTicket } from '../entities/support-ticket.entity';

/** What a ticket's response is made of: an entity or a row of the list query. */
export type TicketFields = Pick<SupportTicket, (typeof TicketDto.FIELDS)[number]>;

export class TicketDto {
  static readonly FIELDS = ['id', 'subject', 'body', 'status', 'createdAt'] as const;

  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() subject!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ enum: ['open', 'closed'] }) status!: 'open' | 'closed';
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static from(ticket: TicketFields): TicketDto {
    return {
      id: ticket.id,
      subject: ticket.subject,
      body: ticket.body,
      status: ticket.status,
      createdAt: ticket.createdAt.toISOString(),
    };
  }
}
