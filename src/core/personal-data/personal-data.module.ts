import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DeclaredPersonalData, PersonalDataMap } from './personal-data.map';
import { PersonalDataDeclarations } from './personal-data.types';

/** Holds one module's declarations; see `PersonalDataModule.declare`. */
@Module({})
export class PersonalDataDeclarationModule {}

/**
 * The personal-data map (`PersonalDataMap`) for the modules that read it (erasure, export,
 * retention, the privacy pages, the record of processing), and `declare()` for the modules that
 * own tables naming a person:
 *
 *     @Module({ imports: [PersonalDataModule.declare('support', SUPPORT_PERSONAL_DATA)], ... })
 *
 * The map finds every declaration through Nest's discovery, so declaring is the only step.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [PersonalDataMap],
  exports: [PersonalDataMap],
})
export class PersonalDataModule {
  static declare(owner: string, declarations: PersonalDataDeclarations): DynamicModule {
    return {
      module: PersonalDataDeclarationModule,
      providers: [{ provide: `personal-data:${owner}`, useValue: new DeclaredPersonalData(owner, declarations) }],
    };
  }
}
