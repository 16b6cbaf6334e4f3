import { Module } from '@nestjs/common';
import { DataKeys } from './data-keys';
import { Pseudonyms } from './pseudonyms';
import { TokenCipher } from './token-cipher';

@Module({ providers: [TokenCipher, Pseudonyms, DataKeys], exports: [TokenCipher, Pseudonyms, DataKeys] })
export class CryptoModule {}
