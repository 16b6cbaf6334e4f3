// The personal-data map: the declarations' types, the registry, and the retention table.
export * from './personal-data.types';
export * from './retention-periods';
export { PersonalDataMap, PROTECTED_TABLES, buildPersonalDataCatalogue, InvalidPersonalDataMapError, SELF_ERASED_TABLES, undeclaredPersonTables } from './personal-data.map';
export type { PersonalDataCatalogue } from './personal-data.map';
export { PersonalDataModule } from './personal-data.module';
export { pseudonymiseColumn, scrubIdentifyingFields } from './pseudonymisation';
