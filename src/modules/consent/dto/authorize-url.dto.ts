import { ApiProperty } from '@nestjs/swagger';

export class AuthorizeUrlDto {
  @ApiProperty({
    format: 'uri',
    description: "X's consent screen (OAuth 2.0 with PKCE S256); valid for 10 minutes and for one use",
  })
  authorizeUrl!: string;
}
