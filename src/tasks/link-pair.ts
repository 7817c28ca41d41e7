import { SyncError } from '../domain/errors';
import type { CaseMapping } from '../domain/mapping';
import {
  caseInScope,
  caseSearchSince,
  existingLinkNotice,
  NOW_SYNCING,
  planCaseCreation,
  planPairState,
  planTicketCreation,
  withCase,
  withTicket,
} from '../domain/plan-link';
import {
  caseDescriptionFromCompany,
  companyMirrorDescriptionPrefix,
  nowSyncingText,
  ticketDescriptionFromGoogle,
} from '../domain/texts';
import type { CrmTicket, SupportCase } from '../domain/types';
import type { TaskDeps, TaskOutcome } from './deps';
import { loadDryRun, SAID_NOT_WRITTEN, type DryRun, type DryRunScope } from './dry-run';

export interface Linked {
  readonly mapping: CaseMapping;
  readonly gcase: SupportCase;
  readonly ticket: CrmTicket;
}

/** Makes sure both sides exist, creating the missing one at most once (plan-link decides). */
export async function ensureLinked(deps: TaskDeps, m: CaseMapping): Promise<Linked | TaskOutcome> {
  if (m.googleCaseName && !caseInScope(m.googleCaseName, deps.settings)) {
    deps.log.error(
      { mappingId: m.id, caseName: m.googleCaseName },
      'case outside SUPPORT_PARENT dropped',
    );
    return { outcome: 'dropped', reason: 'case-outside-parent' };
  }
  const gcase = m.googleCaseName ? await deps.support.get(m.googleCaseName) : undefined;
  const ticket =
    gcase !== null && m.companyCaseID ? await deps.crm.get(m.companyCaseID) : undefined;
  const state = planPairState(gcase, ticket);
  switch (state.kind) {
    case 'drop':
      deps.log.error(
        { mappingId: m.id, caseName: m.googleCaseName, reason: state.reason },
        'pair cannot be synced; dropped',
      );
      return { outcome: 'dropped', reason: state.reason };
    case 'resolve':
      deps.log.error({ mappingId: m.id, issueId: m.companyCaseID }, 'ticket gone; pair resolved');
      await deps.store.update({ ...m, resolvedAt: deps.clock.now() });
      return { outcome: 'dropped', reason: state.reason };
    case 'create-ticket':
      return createTicket(deps, m, gcase as SupportCase);
    case 'create-case':
      return createCase(deps, m, ticket as CrmTicket);
    case 'linked':
      return { mapping: m, gcase: gcase as SupportCase, ticket: ticket as CrmTicket };
  }
}

async function createTicket(
  deps: TaskDeps,
  m: CaseMapping,
  gcase: SupportCase,
): Promise<Linked | TaskOutcome> {
  let mapping = m;
  const now = deps.clock.now();
  const plan = planTicketCreation(
    await deps.crm.findByGoogleCase(gcase.name),
    mapping.counterpartCreationStartedAt,
    now,
  );
  if (plan.kind === 'wait-for-search') {
    throw new SyncError(
      'retry',
      'waiting for CRM search to show a ticket created by an earlier attempt',
      { source: 'crm' },
    );
  }
  let ticket: CrmTicket;
  if (plan.kind === 'use') {
    ticket = plan.ticket;
  } else {
    const dry = await loadDryRun(deps, scopeOf(m, gcase.name, null));
    if (await dry?.sayInstead({ action: 'create-ticket', on: 'company', itemId: 'ticket' }))
      return SAID_NOT_WRITTEN; // the pair stays unlinked (the store is not touched either)
    mapping = await deps.store.update({ ...mapping, counterpartCreationStartedAt: now });
    ticket = await deps.crm.create({
      summary: gcase.displayName,
      description: ticketDescriptionFromGoogle(gcase.description),
      priority: gcase.priority ?? mapping.priority,
      googleCaseName: gcase.name,
    });
    deps.log.info(
      { mappingId: mapping.id, caseName: gcase.name, issueId: ticket.id },
      'ticket created',
    );
  }
  mapping = await deps.store.update(withTicket(mapping, ticket, gcase.priority));
  return { mapping, gcase, ticket };
}

async function createCase(
  deps: TaskDeps,
  m: CaseMapping,
  ticket: CrmTicket,
): Promise<Linked | TaskOutcome> {
  let mapping = m;
  const s = deps.settings;
  const now = deps.clock.now();
  let found = ticket.googleCaseName ? await deps.support.get(ticket.googleCaseName) : null;
  const since = caseSearchSince(mapping.counterpartCreationStartedAt);
  if (!found && since) {
    const prefix = companyMirrorDescriptionPrefix(ticket.key);
    found = await deps.support.findByDescriptionPrefix(s.supportCaseParent, prefix, since);
  }
  const plan = planCaseCreation(found, s.supportClassificationId);
  if (plan.kind === 'drop') {
    deps.log.error(
      { mappingId: mapping.id, issueId: ticket.id },
      'SUPPORT_CLASSIFICATION_ID unset: cannot open a Google case; dropped',
    );
    return { outcome: 'dropped', reason: plan.reason };
  }
  const dry = await loadDryRun(deps, scopeOf(m, null, ticket.id));
  let gcase: SupportCase;
  if (plan.kind === 'use') {
    gcase = plan.gcase;
  } else {
    if (await dry?.sayInstead({ action: 'create-case', on: 'google', itemId: 'case' }))
      return SAID_NOT_WRITTEN; // the pair stays unlinked (the store is not touched either)
    mapping = await deps.store.update({ ...mapping, counterpartCreationStartedAt: now });
    gcase = await deps.support.create({
      parent: s.supportCaseParent,
      displayName: ticket.summary,
      description: caseDescriptionFromCompany(ticket.key, ticket.description),
      priority: ticket.priority ?? mapping.priority,
      classificationId: plan.classificationId,
      testCase: s.supportTestCases,
    });
    deps.log.info(
      { mappingId: mapping.id, caseName: gcase.name, issueId: ticket.id },
      'google case created',
    );
  }
  if (ticket.googleCaseName !== gcase.name) {
    // Linked in the store only once the ticket names its case, so that going live links it.
    if (await dry?.sayInstead({ action: 'link-ticket', on: 'company', itemId: 'link' }))
      return SAID_NOT_WRITTEN;
    await deps.crm.linkGoogleCase(ticket.id, gcase.name);
  }
  mapping = await deps.store.update(withCase(mapping, gcase, ticket));
  return { mapping, gcase, ticket };
}

/** "This case is now syncing with Company Case: KEY" on the Google case, once. */
export async function announceLink(
  deps: TaskDeps,
  mapping: CaseMapping,
  caseName: string,
  issueKey: string,
  dry: DryRun | null,
): Promise<void> {
  const text = nowSyncingText(issueKey);
  const existing = existingLinkNotice(await deps.support.listComments(caseName), text);
  if (
    !existing &&
    (await dry?.sayInstead({ action: 'link-notice', on: 'google', itemId: NOW_SYNCING }))
  )
    return; // not recorded as a notice: going live announces it
  const comment = existing ?? (await deps.support.addComment(caseName, text));
  await deps.store.recordMirroredItem({
    mappingId: mapping.id,
    kind: 'notice',
    sourceSide: 'google',
    sourceId: NOW_SYNCING,
    targetIds: [comment.id],
    createdAt: deps.clock.now(),
  });
}

function scopeOf(m: CaseMapping, caseName: string | null, issueId: string | null): DryRunScope {
  return {
    task: 'sync',
    mappingId: m.id,
    caseName: caseName ?? m.googleCaseName,
    issueId: issueId ?? m.companyCaseID,
  };
}
