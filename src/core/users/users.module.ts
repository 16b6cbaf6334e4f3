import { Module } from '@nestjs/common';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';
import { PersonalDataModule } from '../personal-data';
import { USERS_PERSONAL_DATA } from './users.personal-data';

@Module({ imports: [PersonalDataModule.declare('users', USERS_PERSONAL_DATA)], providers: [UsersService, UsersRepository], exports: [UsersService] })
export class UsersModule {}
