// CleanUpCaseMappings: mappings (and their mirrored-item records) go 30 days after resolvedAt.
import type { NewCaseMapping } from '../../../src/domain/mapping';
import { cleanUpCaseMappings } from '../../../src/tasks/clean-up';
import { DAY, MINUTE } from '../../support/fake-clock';
import { makeDeps, type TestDeps } from '../../support/task-deps';

let n = 0;
function mapping(deps: TestDeps, resolvedAt: Date | null): NewCaseMapping {
  n += 1;
  const t = deps.clock.ago(40 * DAY);
  return {
    googleCaseName: `organizations/1/cases/${n}`,
    companyCaseID: String(10000 + n),
    companyCaseKey: `SUP-${n}`,
    newContentAt: t,
    resolvedAt,
    companyUpdatesSyncedAt: t,
    googleUpdatesSyncedAt: t,
    outageCommentSentToGoogle: false,
    outageCommentSentToCompany: false,
    priority: 2,
    origin: 'google',
    googlePendingSince: null,
    companyPendingSince: null,
    counterpartCreationStartedAt: null,
  };
}

async function withRecords(deps: TestDeps, m: NewCaseMapping): Promise<string> {
  const saved = await deps.memory.insert(m);
  await deps.memory.recordMirroredItem({
    mappingId: saved.id,
    kind: 'comment',
    sourceSide: 'google',
    sourceId: '1',
    targetIds: ['20001'],
    createdAt: deps.clock.ago(35 * DAY),
  });
  await deps.memory.recordMirroredItem({
    mappingId: saved.id,
    kind: 'notice',
    sourceSide: 'google',
    sourceId: 'now-syncing',
    targetIds: ['2'],
    createdAt: deps.clock.ago(35 * DAY),
  });
  return saved.id;
}

describe('cleanUpCaseMappings', () => {
  it('deletes mappings resolved more than 30 days ago with their records, and keeps the others', async () => {
    const deps = makeDeps();
    const old = await withRecords(deps, mapping(deps, deps.clock.ago(31 * DAY)));
    const recent = await withRecords(deps, mapping(deps, deps.clock.ago(29 * DAY)));
    const justUnder = await withRecords(deps, mapping(deps, deps.clock.ago(30 * DAY - MINUTE)));
    const open = await withRecords(deps, mapping(deps, null));

    const result = await cleanUpCaseMappings(deps);

    expect(result).toMatchObject({ outcome: 'done', deleted: 1 });
    expect(await deps.memory.get(old)).toBeNull();
    expect(await deps.memory.listMirroredItems(old)).toEqual([]);
    for (const id of [recent, justUnder, open]) {
      expect(await deps.memory.get(id)).not.toBeNull();
      expect(await deps.memory.listMirroredItems(id)).toHaveLength(2);
    }
    // The pair's identities are free again (the index went with the mapping).
    expect(await deps.memory.findByGoogleCase(`organizations/1/cases/${n - 3}`)).toBeNull();
  });

  it('deletes every expired mapping across store pages', async () => {
    const deps = makeDeps({ storePageSize: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1)
      ids.push(await withRecords(deps, mapping(deps, deps.clock.ago((31 + i) * DAY))));
    const kept = await withRecords(deps, mapping(deps, deps.clock.ago(DAY)));

    expect(await cleanUpCaseMappings(deps)).toMatchObject({ deleted: 7 });

    for (const id of ids) expect(await deps.memory.get(id)).toBeNull();
    expect(await deps.memory.get(kept)).not.toBeNull();
  });

  it('does nothing on an empty store', async () => {
    const deps = makeDeps();
    expect(await cleanUpCaseMappings(deps)).toMatchObject({ outcome: 'done', deleted: 0 });
  });
});
