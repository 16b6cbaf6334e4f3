import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../../core/auth/auth.decorators';
import { AuthenticatedUser } from '../../core/auth/authenticated-user';
import { CreateTicketDto } from './dto/create-ticket.dto';
import { TicketDto } from './dto/ticket.dto';
import { SupportService } from './support.service';

@ApiTags('support')
@Controller('api/support/tickets')
@Authenticated()
export class SupportController {
  constructor(private readonly support: SupportService) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: TicketDto })
  create(@CurrentUser() user: AuthenticatedUser, @Body() dto: CreateTicketDto): Promise<TicketDto> {
    return this.support.createTicket(user.id, dto);
  }

  @Get()
  @ApiOkResponse({ type: [TicketDto], description: 'Your own tickets, newest first (at most 100)' })
  list(@CurrentUser() user: AuthenticatedUser): Promise<TicketDto[]> {
    return this.support.listTickets(user.id);
  }
}
