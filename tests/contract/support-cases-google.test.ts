// The SupportCases contract for GoogleSupportCases, over HTTP against the Cloud Support
// simulator.
import { googleSupportCasesForEmulator } from '../../src/adapters/google/google-support-cases';
import type { Priority } from '../../src/domain/types';
import { startGoogleSimulator, type SimPriority } from '../../src/sandbox/google';
import { FakeClock } from '../support/fake-clock';
import { describeSupportCases } from './support-cases.contract';

const PARENT = 'organizations/4242';

describeSupportCases('GoogleSupportCases on the Cloud Support simulator', async () => {
  const clock = new FakeClock();
  const sim = await startGoogleSimulator({ now: () => clock.now(), defaultParent: PARENT });
  const support = googleSupportCasesForEmulator(sim.host, sim.token, {
    requestTimeoutMs: 5000,
    retry: { maxAttempts: 1 },
  });
  const simPriority = (p: Priority): SimPriority => `P${p}`;
  return {
    support,
    close: () => sim.close(),
    world: {
      parent: PARENT,
      otherParent: 'organizations/9999',
      unknownCaseName: `${PARENT}/cases/1`,
      pageSize: 100,
      createCase: async (o) =>
        sim.createCase({
          parent: o.parent,
          displayName: o.displayName,
          description: o.description,
          priority: o.priority === undefined ? undefined : simPriority(o.priority),
        }).name,
      addComment: async (name, body, o) =>
        void sim.addComment(name, { body, googleSupport: o.googleSupport }),
      addAttachment: async (name, filename, content) =>
        void sim.addAttachment(name, { filename, content, googleSupport: false }),
      close: async (name) => void sim.closeCase(name),
      readCase: async (name) => {
        const c = sim.getCase(name);
        return {
          priority: Number(c.priority.slice(1)) as Priority,
          closed: c.state === 'CLOSED',
          testCase: c.testCase,
          classificationId: c.classification.id,
          comments: c.comments.map((x) => ({ body: x.body })),
          attachments: c.attachments.map((a) => ({ filename: a.filename, bytes: a.content })),
        };
      },
      now: () => clock.now(),
      advance: (ms) => void clock.advance(ms),
    },
  };
});
