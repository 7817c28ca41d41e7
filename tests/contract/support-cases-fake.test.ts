// The SupportCases contract for FakeSupportCases, the fake the use-case tests rely on.
import { FakeClock } from '../support/fake-clock';
import { FakeSupportCases } from '../support/fake-support-cases';
import { filesIn } from './port-contract-helpers';
import { describeSupportCases } from './support-cases.contract';

const PARENT = 'organizations/4242';
const PAGE_SIZE = 3;

describeSupportCases('FakeSupportCases', async () => {
  const clock = new FakeClock();
  const support = new FakeSupportCases(clock, { pageSize: PAGE_SIZE });
  return {
    support,
    close: async () => undefined,
    world: {
      parent: PARENT,
      otherParent: 'organizations/9999',
      unknownCaseName: `${PARENT}/cases/1`,
      pageSize: PAGE_SIZE,
      createCase: async (o) => support.person.createCase({ ...o, parent: o.parent ?? PARENT }).name,
      addComment: async (name, body, o) =>
        void support.person.addComment(name, body, { googleSupport: o.googleSupport }),
      addAttachment: async (name, filename, content) =>
        void support.person.addAttachment(name, { filename, content }),
      close: async (name) => support.person.close(name),
      readCase: async (name) => {
        const c = support.caseOf(name);
        return {
          priority: c.priority,
          closed: c.closed,
          testCase: c.testCase,
          classificationId: c.classificationId,
          comments: support.comments(name).map((x) => ({ body: x.body })),
          attachments: filesIn(support, name),
        };
      },
      now: () => clock.now(),
      advance: (ms) => void clock.advance(ms),
    },
  };
});
