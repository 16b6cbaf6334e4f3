import { Module } from '@nestjs/common';
import { AuditModule } from '../../core/audit/audit.module';
import { UsersModule } from '../../core/users/users.module';
import { AnalysisModule } from '../analysis/analysis.module';
import { ConsentModule } from '../consent/consent.module';
import { ExportModule } from '../export/export.module';
import { TwitterModule } from '../twitter/twitter.module';
import { AdminUserRunsController } from './admin-user-runs.controller';
import { AdminUserRunsService } from './admin-user-runs.service';
import { OperatorConsolePagesController } from './pages/operator-console-pages.controller';

/**
 * The operator's side of runs that needs the feature modules: starting a person's flow under the
 * person's rules, and the console page (/admin/runs). The runs API itself is the run engine's
 * (src/core/jobs/admin-runs.controller.ts).
 */
@Module({
  imports: [AuditModule, UsersModule, ConsentModule, TwitterModule, AnalysisModule, ExportModule],
  controllers: [AdminUserRunsController, OperatorConsolePagesController],
  providers: [AdminUserRunsService],
})
export class OperatorConsoleModule {}
