import { ApiProperty } from '@nestjs/swagger';

export class TwitterConsentDto {
  @ApiProperty({ description: 'An X account is connected, consent is not revoked and not expired' })
  connected!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When consent was last given' })
  grantedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'grantedAt + 365 days' })
  expiresAt!: string | null;

  @ApiProperty({ type: [String], example: ['tweet.read', 'users.read', 'offline.access'] })
  scopes!: string[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt!: string | null;
}

export class SubscriptionStatusDto {
  @ApiProperty({ enum: ['basic', 'pro'] })
  tier!: 'basic' | 'pro';

  @ApiProperty({ example: 'active', description: "Stripe's status: active, trialing, past_due, canceled, ..." })
  status!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  cancelledAt!: string | null;
}

export class ConsentStatusDto {
  @ApiProperty({ type: TwitterConsentDto })
  twitter!: TwitterConsentDto;

  @ApiProperty({ type: SubscriptionStatusDto, nullable: true })
  subscription!: SubscriptionStatusDto | null;
}
