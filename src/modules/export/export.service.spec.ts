import type { EntityManager } from '@mikro-orm/postgresql';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditService } from '../../core/audit/audit.service';
import { ManualClock } from '../../core/clock/clock';
import type { AppConfig } from '../../core/config/app-config';
import { RunCancelledError } from '../../core/jobs/job-errors';
import { JobName } from '../../core/jobs/job-payloads';
import type { RunContext } from '../../core/jobs/run-context';
import type { RunsService } from '../../core/jobs/runs.service';
import type { ExportBuilder } from './export-builder';
import type { ExportSigner } from './export-signer';
import { ExportService } from './export.service';

const USER = 'user-1';
const EXPORT_ID = '6f1c0a52-3f0e-4d55-9a57-0f1f7f0b9e11';

const dataDirs: string[] = [];

function setup(options: { lock?: () => Promise<void>; rowsMarked?: number } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'repazoo-export-spec-'));
  dataDirs.push(dataDir);
  const nativeUpdate = jest.fn(async () => options.rowsMarked ?? 1);
  const em = { findOne: async () => ({ id: EXPORT_ID, userId: USER }) } as unknown as EntityManager;
  const builder = {
    build: async (_userId: string, path: string) => {
      await writeFile(path, '{"user":{}}');
      return 11;
    },
  } as unknown as ExportBuilder;
  const audit = { audit: jest.fn(async () => undefined) };
  const config = { dataDir } as AppConfig;
  const sut = new ExportService(em, {} as RunsService, builder, {} as ExportSigner, audit as unknown as AuditService, new ManualClock(0), config);
  const context = {
    payload: { userId: USER, exportId: EXPORT_ID },
    // As the executor does: the run's lock first, then the work in the transaction.
    storeResults: jest.fn(async (work: (tx: unknown) => Promise<unknown>) => {
      await (options.lock ?? (async () => undefined))();
      return work({ nativeUpdate });
    }),
    log: jest.fn(async () => undefined),
  } as unknown as RunContext<JobName.ExportBuild>;
  const file = join(dataDir, 'exports', `${EXPORT_ID}.json`);
  return { run: () => sut.buildExport(context), context, nativeUpdate, audit, file };
}

describe(ExportService.name, () => {
  afterEach(() => {
    for (const dataDir of dataDirs.splice(0)) rmSync(dataDir, { recursive: true, force: true });
  });

  it('should keep the file and mark the export ready when the run is still current', async () => {
    const { run, context, nativeUpdate, audit, file } = setup();

    await expect(run()).resolves.toEqual({ exportId: EXPORT_ID, sizeBytes: 11 });

    expect(existsSync(file)).toBe(true);
    expect(context.storeResults).toHaveBeenCalledTimes(1);
    expect(nativeUpdate).toHaveBeenCalledWith(
      expect.anything(),
      { id: EXPORT_ID, deletedAt: null },
      expect.objectContaining({ status: 'ready', filePath: join('exports', `${EXPORT_ID}.json`), sizeBytes: '11' }),
    );
    expect(audit.audit).toHaveBeenCalledWith(USER, 'Data export ready', 'dsar_exports', { exportId: EXPORT_ID, sizeBytes: 11 });
  });

  it('should remove the file it wrote when the run was erased while the file was being written', async () => {
    const { run, nativeUpdate, audit, file } = setup({
      lock: async () => {
        throw new RunCancelledError();
      },
    });

    await expect(run()).rejects.toBeInstanceOf(RunCancelledError);

    expect(existsSync(file)).toBe(false);
    expect(nativeUpdate).not.toHaveBeenCalled();
    expect(audit.audit).not.toHaveBeenCalled();
  });

  it('should remove the file when the export row is gone, and not report it ready', async () => {
    const { run, audit, file } = setup({ rowsMarked: 0 });

    await expect(run()).rejects.toThrow('The export was deleted while it was being built');

    expect(existsSync(file)).toBe(false);
    expect(audit.audit).not.toHaveBeenCalled();
  });
});
