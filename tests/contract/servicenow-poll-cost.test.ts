// The ServiceNow poll's cost in calls and store operations (bench/poll-cost-servicenow.ts on
// a tiny size): an idle cycle is 1 Google call + 2 ServiceNow reads (records and
// sys_attachment) and at most 5 store operations, whatever the number of open pairs; changes
// enqueue one sync per changed pair, the attachment-only change included. Counts only.
import {
  runPollCostServiceNow,
  SERVICENOW_POLL_BAR_UPSTREAM,
} from '../../bench/poll-cost-servicenow';

it('costs O(changed) upstream calls and store operations, for both tables', async () => {
  const { results, rows } = await runPollCostServiceNow(
    [20],
    [0, 3],
    ['incident', 'sn_customerservice_case'],
  );
  expect(
    results.map((r) => [r.table, r.changed, r.googleCalls, r.serviceNowCalls, r.enqueued]),
  ).toEqual([
    ['incident', 0, 1, 2, 0],
    ['incident', 3, 1, 3, 7],
    ['sn_customerservice_case', 0, 1, 2, 0],
    ['sn_customerservice_case', 3, 1, 3, 7],
  ]);
  for (const r of results.filter((x) => x.changed === 0)) {
    expect(r.googleCalls + r.serviceNowCalls).toBeLessThanOrEqual(SERVICENOW_POLL_BAR_UPSTREAM);
    expect(r.store.total).toBeLessThanOrEqual(5);
  }
  expect(rows.filter((r) => r.ok === false)).toEqual([]);
});
