import { Module } from '@nestjs/common';
import { ContentOpenerPool } from './content-opener-pool';
import { DataKeys } from './data-keys';
import { Pseudonyms } from './pseudonyms';
import { TokenCipher } from './token-cipher';

@Module({ providers: [TokenCipher, Pseudonyms, DataKeys, ContentOpenerPool], exports: [TokenCipher, Pseudonyms, DataKeys, ContentOpenerPool] })
export class CryptoModule {}
