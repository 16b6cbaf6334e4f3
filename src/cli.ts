// The command line: `npm run cli -- <command>` (spec section 5).
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { mintToken } from './core/auth/token-issuer';
import { ConfigValidationError } from './core/config/config.errors';
import { loadConfig } from './core/config/load-config';
import { runMigrations } from './core/database/standalone-orm';
import { runRotateKeysCommand } from './modules/consent/rotate-keys.command';
import { encryptPlainContent } from './core/crypto/content-encryption';
import { DataKeys } from './core/crypto/data-keys';
import { EntityManager } from '@mikro-orm/postgresql';
import { createAppContext } from './create-app-context';
import { AppLogger } from './core/logging/app-logger';
import { ENTITIES } from './entities';
import { PersonalDataMap } from './core/personal-data';
import { formatRecordsOfProcessingMarkdown, recordsOfProcessing } from './modules/privacy/records-of-processing';
import { runRedactCommand } from './modules/redaction/redact.command';
import { formatRetentionReport } from './modules/retention/retention-report.formatter';
import { RetentionService } from './modules/retention/retention.service';
import { AdminRunsService } from './core/jobs/admin-runs.service';
import { ListAdminRunsQueryDto } from './core/jobs/dto/list-admin-runs-query.dto';
import { formatRunDetail, formatRunsTable } from './core/jobs/runs-cli.formatter';
import { DomainException } from './core/errors/domain.exception';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  token --user <id> [--admin] [--ttl 1h]   mint an HS256 token with the configured JWT_SECRET
  migrate                                  apply pending database migrations
  redact [--profile log|prompt] [--json]   redact text lines from stdin to stdout
  retention [--dry-run] [--now <ISO time>] run the retention cleanup once and print a table
  rotate-keys [--batch-size 100]           re-encrypt stored OAuth tokens and rewrap the data keys under the first ENCRYPTION_KEYS key
  encrypt-content [--batch-size 500]       seal content written before crypto-shredding under each person's data key (resumable; progress on stderr)
  runs [--state FAILED] [--job <name>] [--user <id>] [--from <ISO>] [--to <ISO>] [--limit 20] [--before <run id>]
                                           every run (scheduled ones too), newest first, as a table
  runs show <id>                           one run with its log
  ropa [--format md|json]                  print the record of processing (GDPR Art. 30) from the personal-data map
`;

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  async token(args) {
    const { values } = parseArgs({
      args,
      options: { user: { type: 'string' }, admin: { type: 'boolean', default: false }, ttl: { type: 'string', default: '1h' } },
    });
    if (!values.user) return usageError('token: --user <id> is required');
    if (!/^\d+[smhd]?$/.test(values.ttl)) return usageError('token: --ttl must look like 30m, 1h or 7d');
    const config = loadConfig();
    if (!config.jwt.secret) return usageError('token: JWT_SECRET is not configured (tokens come from your identity provider)');
    process.stdout.write(
      `${mintToken(config.jwt.secret, {
        userId: values.user,
        admin: values.admin,
        ttl: values.ttl,
        issuer: config.jwt.issuer,
        audience: config.jwt.audience,
      })}\n`,
    );
    return 0;
  },

  async redact(args) {
    const { values } = parseArgs({
      args,
      options: { profile: { type: 'string', default: 'log' }, json: { type: 'boolean', default: false } },
    });
    if (values.profile !== 'log' && values.profile !== 'prompt') return usageError('redact: --profile must be log or prompt');
    await runRedactCommand(process.stdin, process.stdout, { profile: values.profile, json: values.json });
    return 0;
  },

  async 'rotate-keys'(args) {
    const { values } = parseArgs({ args, options: { 'batch-size': { type: 'string', default: '100' } } });
    const batchSize = Number(values['batch-size']);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
      return usageError('rotate-keys: --batch-size must be an integer from 1 to 10000');
    }
    const config = loadConfig(process.env, { requiredSecrets: ['ENCRYPTION_KEYS'] });
    const report = await runRotateKeysCommand(config, ENTITIES, process.stdout, { batchSize });
    return report.failed > 0 ? 1 : 0;
  },

  async 'encrypt-content'(args) {
    const { values } = parseArgs({ args, options: { 'batch-size': { type: 'string', default: '500' } } });
    const batchSize = Number(values['batch-size']);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
      return usageError('encrypt-content: --batch-size must be an integer from 1 to 10000');
    }
    const context = await createAppContext(loadConfig(), new AppLogger({ level: 'warn', destination: process.stderr }));
    try {
      const report = await encryptPlainContent(context.get(EntityManager), context.get(PersonalDataMap).tables(), context.get(DataKeys, { strict: false }), {
        batchSize,
        onBatch: (batch) => process.stderr.write(`encrypt-content: ${batch.table} batch ${batch.batch}: ${batch.sealed} rows sealed (${batch.tableTotal} so far)\n`),
      });
      for (const { table, sealed } of report.tables) process.stdout.write(`${table}: ${sealed} rows sealed\n`);
      return 0;
    } finally {
      await context.close();
    }
  },

  async retention(args) {
    const { values } = parseArgs({ args, options: { 'dry-run': { type: 'boolean', default: false }, now: { type: 'string' } } });
    const now = values.now === undefined ? new Date() : new Date(values.now);
    if (Number.isNaN(now.getTime())) return usageError('retention: --now must be an ISO 8601 time');
    // Warnings only: the table below is the command's output, and logs go to stderr.
    const context = await createAppContext(loadConfig(), new AppLogger({ level: 'warn', destination: process.stderr }));
    try {
      let lastProgress = 0;
      const result = await context.get(RetentionService).cleanupExpiredRecords(now, {
        dryRun: values['dry-run'],
        onProgress: (category, softDeleted, hardDeleted) => {
          if (Date.now() - lastProgress < 1000) return;
          lastProgress = Date.now();
          process.stderr.write(`  ... ${category}: ${softDeleted} soft-deleted, ${hardDeleted} hard-deleted\n`);
        },
      });
      process.stdout.write(formatRetentionReport(result));
      return result.categories.some((category) => category.error) ? 1 : 0;
    } finally {
      await context.close();
    }
  },

  async runs(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        state: { type: 'string' },
        job: { type: 'string' },
        user: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        limit: { type: 'string' },
        before: { type: 'string' },
      },
    });
    const [sub, runId, ...extra] = positionals;
    if (extra.length > 0 || (sub !== undefined && sub !== 'show')) return usageError(`runs: unexpected argument ${extra[0] ?? sub}`);
    if (sub === 'show' && !runId) return usageError('runs show: the run id is required');
    // The same checks as GET /api/admin/runs: one definition of a valid filter.
    const query = plainToInstance(ListAdminRunsQueryDto, {
      state: values.state,
      job: values.job,
      userId: values.user,
      from: values.from,
      to: values.to,
      limit: values.limit,
      before: values.before,
    });
    const problems = (await validate(query, { forbidUnknownValues: true })).flatMap((error) => Object.values(error.constraints ?? {}));
    if (problems.length > 0) return usageError(`runs: ${problems.join('; ')}`);
    const context = await createAppContext(loadConfig(), new AppLogger({ level: 'warn', destination: process.stderr }));
    try {
      const runs = context.get(AdminRunsService);
      // Audited like the console, with no operator id: the CLI has only the shell's identity.
      if (sub === 'show') {
        process.stdout.write(formatRunDetail(await runs.get(null, runId), await runs.logs(null, runId)));
      } else {
        const page = await runs.list(null, query);
        process.stdout.write(formatRunsTable(page.items, page.next));
      }
      return 0;
    } catch (error) {
      if (!(error instanceof DomainException)) throw error;
      process.stderr.write(`${error.code}: ${error.message}\n`);
      return 1;
    } finally {
      await context.close();
    }
  },

  async ropa(args) {
    const { values } = parseArgs({ args, options: { format: { type: 'string', default: 'md' } } });
    if (values.format !== 'md' && values.format !== 'json') return usageError('ropa: --format must be md or json');
    // The map is collected from the wired app, the same one the admin route and /privacy read.
    const context = await createAppContext(loadConfig(), new AppLogger({ level: 'warn', destination: process.stderr }));
    try {
      const map = context.get(PersonalDataMap);
      const record = recordsOfProcessing(map.tables(), map.redisKeys());
      const generatedAt = new Date();
      process.stdout.write(
        values.format === 'json'
          ? `${JSON.stringify({ generatedAt: generatedAt.toISOString(), ...record }, null, 2)}\n`
          : formatRecordsOfProcessingMarkdown(record, generatedAt),
      );
      return 0;
    } finally {
      await context.close();
    }
  },

  async migrate(args) {
    parseArgs({ args, options: {} });
    const applied = await runMigrations(loadConfig(process.env, { requiredSecrets: [] }), ENTITIES);
    process.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'no pending migrations\n');
    return 0;
  },
};

function usageError(message: string): number {
  process.stderr.write(`${message}\n\n${USAGE}`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) return usageError(name ? `unknown command: ${name}` : 'a command is required');
  return command(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message =
      error instanceof ConfigValidationError || (error instanceof TypeError && 'code' in error)
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    process.stderr.write(`${message}\n`);
    process.exitCode = 1;
  },
);
