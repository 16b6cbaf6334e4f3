import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newTestService } from '../../../test/utils/new-test-service';
import { AuditService } from '../../core/audit/audit.service';
import { Clock, ManualClock } from '../../core/clock/clock';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config';
import { RunCancelledError } from '../../core/jobs/job-errors';
import { JobName } from '../../core/jobs/job-payloads';
import type { RunContext } from '../../core/jobs/run-context';
import { DataExport } from './entities/data-export.entity';
import { ExportBuilder } from './export-builder';
import { ExportRepository } from './export.repository';
import { ExportService } from './export.service';

const USER = 'user-1';
const EXPORT_ID = '6f1c0a52-3f0e-4d55-9a57-0f1f7f0b9e11';

const dataDirs: string[] = [];

function setup(options: { lock?: () => Promise<void>; rowsMarked?: number } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'repazoo-export-spec-'));
  dataDirs.push(dataDir);
  const config = { dataDir } as AppConfig;
  const { sut, mocks } = newTestService(ExportService, [
    { provide: APP_CONFIG, useValue: config },
    { provide: Clock, useValue: new ManualClock(0) },
  ]);
  const exports = mocks.get(ExportRepository);
  exports.findForUser.mockResolvedValue(Object.assign(new DataExport(), { id: EXPORT_ID, userId: USER }));
  exports.markReady.mockResolvedValue((options.rowsMarked ?? 1) === 1);
  mocks.get(ExportBuilder).build.mockImplementation(async (_userId: string, path: string) => {
    await writeFile(path, '{"user":{}}');
    return 11;
  });
  const audit = mocks.get(AuditService);
  audit.audit.mockResolvedValue(undefined);
  const context = {
    payload: { userId: USER, exportId: EXPORT_ID },
    // As the executor does: the run's lock first, then the work in the transaction.
    storeResults: jest.fn(async (work: (tx: unknown) => Promise<unknown>) => {
      await (options.lock ?? (async () => undefined))();
      return work({});
    }),
    log: jest.fn(async () => undefined),
  } as unknown as RunContext<JobName.ExportBuild>;
  const file = join(dataDir, 'exports', `${EXPORT_ID}.json`);
  return { run: () => sut.buildExport(context), context, exports, audit, file };
}

describe(ExportService.name, () => {
  afterEach(() => {
    for (const dataDir of dataDirs.splice(0)) rmSync(dataDir, { recursive: true, force: true });
  });

  it('should keep the file and mark the export ready when the run is still current', async () => {
    const { run, context, exports, audit, file } = setup();

    await expect(run()).resolves.toEqual({ exportId: EXPORT_ID, sizeBytes: 11 });

    expect(existsSync(file)).toBe(true);
    expect(context.storeResults).toHaveBeenCalledTimes(1);
    expect(exports.markReady).toHaveBeenCalledWith(
      expect.anything(),
      EXPORT_ID,
      expect.objectContaining({ filePath: join('exports', `${EXPORT_ID}.json`), sizeBytes: '11' }),
    );
    expect(audit.audit).toHaveBeenCalledWith(USER, 'Data export ready', 'dsar_exports', { exportId: EXPORT_ID, sizeBytes: 11 });
  });

  it('should remove the file it wrote when the run was erased while the file was being written', async () => {
    const { run, exports, audit, file } = setup({
      lock: async () => {
        throw new RunCancelledError();
      },
    });

    await expect(run()).rejects.toBeInstanceOf(RunCancelledError);

    expect(existsSync(file)).toBe(false);
    expect(exports.markReady).not.toHaveBeenCalled();
    expect(audit.audit).not.toHaveBeenCalled();
  });

  it('should remove the file when the export row is gone, and not report it ready', async () => {
    const { run, audit, file } = setup({ rowsMarked: 0 });

    await expect(run()).rejects.toThrow('The export was deleted while it was being built');

    expect(existsSync(file)).toBe(false);
    expect(audit.audit).not.toHaveBeenCalled();
  });
});
