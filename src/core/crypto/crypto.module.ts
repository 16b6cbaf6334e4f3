import { Module } from '@nestjs/common';
import { Pseudonyms } from './pseudonyms';
import { TokenCipher } from './token-cipher';

@Module({ providers: [TokenCipher, Pseudonyms], exports: [TokenCipher, Pseudonyms] })
export class CryptoModule {}
