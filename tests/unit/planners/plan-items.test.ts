// Which comments and attachments a sync mirrors: once each, in creation order, never the
// connector's own, a copy written before a crash recorded instead of written again.
import { planAttachments, planComments } from '../../../src/domain/plan-items';
import { attachment, at, comment, MIN, record } from './builders';

const connector = { displayName: 'Connector', isConnector: true };
/** A dry run's records of a Google item (DRY_RUN), keyed as sources and as actions: no copies. */
const saidOnly = (action: string, id: string) => [
  record({ kind: 'dry-run', sourceId: id, targetIds: [] }),
  record({ kind: 'dry-run', sourceSide: 'company', sourceId: `${action}:${id}` }),
];
const kinds = (actions: { kind: string; from: string }[]) =>
  actions.map((a) => `${a.kind}:${a.from}`);

describe('planComments', () => {
  const plan = (args: Partial<Parameters<typeof planComments>[0]>) =>
    planComments({ google: [], company: [], records: [], commentsToGoogle: 'all', ...args });
  it.each([
    ['a new Google comment goes to Jira', { google: [comment('g1')] }, ['mirror-comment:google']],
    ['a new Jira comment goes to Google', { company: [comment('c1')] }, ['mirror-comment:company']],
    [
      'a recorded comment is not mirrored again',
      { google: [comment('g1')], records: [record({ sourceId: 'g1' })] },
      [],
    ],
    [
      'a dry run said it (DRY_RUN record): still mirrored, the record is no copy',
      { google: [comment('g1')], records: saidOnly('mirror-comment', 'g1') },
      ['mirror-comment:google'],
    ],
    [
      'our copy of a Jira comment on Google is not mirrored back',
      {
        google: [comment('g9', { body: '[Company Comment c1 by Sam]\nhi' })],
        company: [comment('c1')],
        records: [record({ sourceSide: 'company', sourceId: 'c1', targetIds: ['g9'] })],
      },
      [],
    ],
    [
      'a comment the connector wrote is never mirrored back',
      { company: [comment('c2', { author: connector })] },
      [],
    ],
    [
      'a Jira copy found without its record (crash) is only recorded',
      {
        google: [comment('g1')],
        company: [comment('c5', { mirrorOf: 'google:g1', author: connector })],
      },
      ['record-comment:google'],
    ],
    [
      'an internal Jira comment with JIRA_COMMENTS_TO_GOOGLE=public stays',
      { company: [comment('c1', { isPublic: false })], commentsToGoogle: 'public' as const },
      [],
    ],
    [
      'an internal Jira comment with the default (all) goes',
      { company: [comment('c1', { isPublic: false })] },
      ['mirror-comment:company'],
    ],
    [
      'a notice the connector posted on Google is not mirrored',
      { google: [comment('g3', { body: 'Syncing has resumed.' })] },
      [],
    ],
    [
      'a Google support engineer typing our header is still mirrored',
      {
        google: [
          comment('g4', {
            body: '[Company Comment 9 by X]\nreal text',
            author: { displayName: 'G', isConnector: false, isGoogleSupport: true },
          }),
        ],
      },
      ['mirror-comment:google'],
    ],
  ] as const)('%s', (_n, args, expected) => {
    expect(kinds(plan(args as Parameters<typeof plan>[0]))).toEqual(expected);
  });

  it('mirrors in creation order on each side', () => {
    const actions = plan({
      google: [
        comment('g2', { createTime: at(2 * MIN) }),
        comment('g1', { createTime: at(1 * MIN) }),
      ],
      company: [comment('10', { createTime: at(0) }), comment('9', { createTime: at(0) })],
    });
    expect(actions.map((a) => (a.kind === 'mirror-comment' ? a.comment.id : a.sourceId))).toEqual([
      'g1',
      'g2',
      '9',
      '10',
    ]);
  });

  it('a split copy missing its last parts (crash between parts) resumes after the parts written', () => {
    const actions = plan({
      company: [comment('c1', { body: 'x'.repeat(30_000) })],
      google: [
        comment('p1', { body: '[Company Comment c1 by Sam] (part 1/3)\nxxx' }),
        comment('p2', { body: '[Company Comment c1 by Sam] (part 2/3)\nxxx' }),
      ],
    });
    expect(actions).toEqual([
      expect.objectContaining({
        kind: 'mirror-comment',
        from: 'company',
        writtenPartIds: ['p1', 'p2'],
      }),
    ]);
  });
});

describe('planAttachments', () => {
  const LIMIT = 1000;
  const plan = (args: Partial<Parameters<typeof planAttachments>[0]>) =>
    planAttachments({
      google: [],
      company: [],
      records: [],
      companyUploadLimitBytes: LIMIT,
      ...args,
    });
  it.each([
    [
      'a new Google file goes to Jira',
      { google: [attachment('a1')] },
      ['mirror-attachment:google'],
    ],
    [
      'a new Jira file goes to Google (no Google limit)',
      { company: [attachment('b1', { sizeBytes: 10 * LIMIT })] },
      ['mirror-attachment:company'],
    ],
    [
      'a recorded file is not mirrored again',
      { google: [attachment('a1')], records: [record({ kind: 'attachment', sourceId: 'a1' })] },
      [],
    ],
    [
      'a dry run said it (DRY_RUN record): still mirrored',
      { google: [attachment('a1')], records: saidOnly('mirror-attachment', 'a1') },
      ['mirror-attachment:google'],
    ],
    [
      'a file the connector uploaded is never mirrored back',
      { company: [attachment('b2', { author: connector })] },
      [],
    ],
    [
      'a Google file over the Jira limit becomes a notice',
      { google: [attachment('a2', { sizeBytes: LIMIT + 1 })] },
      ['attachment-too-large:google'],
    ],
    [
      'a file exactly at the limit is mirrored',
      { google: [attachment('a3', { sizeBytes: LIMIT })] },
      ['mirror-attachment:google'],
    ],
    [
      'an unrecorded connector upload of the same name and size is taken as the copy',
      {
        google: [attachment('a1')],
        company: [attachment('b7', { author: connector, filename: 'file-a1.txt' })],
      },
      ['record-attachment:google'],
    ],
  ] as const)('%s', (_n, args, expected) => {
    expect(kinds(plan(args as Parameters<typeof plan>[0]))).toEqual(expected);
  });
});
