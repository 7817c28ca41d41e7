import { leakedInto } from '../support/e2e-harness';

test('the e2e log scan finds a text in any field, JSON-escaped or not', () => {
  const logs = [
    { severity: 'INFO', message: 'pair synced', mappingId: 'm1' },
    { severity: 'ERROR', message: 'x', detail: 'body "quoted" here' },
  ];
  expect(
    leakedInto(logs, ['pair synced by someone', 'body "quoted" here', 'mappingId m1']),
  ).toEqual(['body "quoted" here']);
  expect(leakedInto(logs, ['nothing like it'])).toEqual([]);
});
