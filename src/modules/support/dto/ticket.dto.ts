import { ApiProperty } from '@nestjs/swagger';
import { SupportTicket } from '../entities/support-ticket.entity';

export class TicketDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() subject!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ enum: ['open', 'closed'] }) status!: 'open' | 'closed';
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static from(ticket: SupportTicket): TicketDto {
    return {
      id: ticket.id,
      subject: ticket.subject,
      body: ticket.body,
      status: ticket.status,
      createdAt: ticket.createdAt.toISOString(),
    };
  }
}
