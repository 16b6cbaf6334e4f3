import { Module } from '@nestjs/common';
import { TokenCipher } from './token-cipher';

@Module({ providers: [TokenCipher], exports: [TokenCipher] })
export class CryptoModule {}
