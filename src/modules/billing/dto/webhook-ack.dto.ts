import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class WebhookAckDto {
  @ApiProperty({ example: true })
  received!: true;

  @ApiPropertyOptional({ example: true, description: 'The event id was already processed; nothing changed' })
  duplicate?: true;
}
