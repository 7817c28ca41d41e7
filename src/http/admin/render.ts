// The status page's HTML: server-rendered, no JavaScript, readable on a phone (the table
// turns into one card per pair on a narrow screen). Every value goes through `html`.
import type { CaseMapping, Global, TaskRun } from '../../domain/mapping';
import { priorityToGoogle } from '../../domain/priority';
import { effectiveSyncedAt } from '../../domain/sync-state';
import type { AdminAction } from '../../tasks/admin-actions';
import { Html, html, query } from './html';

export const FILTERS = {
  open: 'Open',
  failing: 'Failing',
  outage: 'In outage',
  closed: 'Closed in the last 30 days',
} as const;
export type FilterName = keyof typeof FILTERS;

/** Where the page links a pair's case and ticket. */
export interface AdminLinks {
  googleCase(caseName: string): string;
  crmTicket(key: string): string;
}

export interface PageView {
  readonly iap: boolean;
  readonly user: string;
  readonly filter: FilterName;
  readonly pairs: readonly CaseMapping[];
  readonly nextPageToken?: string;
  readonly firstPage: boolean;
  readonly global: Global;
  readonly runs: readonly TaskRun[];
  readonly links: AdminLinks;
  readonly notice?: string;
}

const STYLE = `
body{font:15px/1.4 system-ui,sans-serif;margin:0;padding:0 12px 24px;color:#202124}
h1{font-size:20px}h2{font-size:17px;margin-top:24px}
.banner{background:#c5221f;color:#fff;padding:10px 12px;margin:0 -12px;font-weight:bold}
.notice{background:#e6f4ea;padding:8px;border-radius:4px}
nav a{display:inline-block;margin:0 8px 6px 0;padding:4px 8px;border:1px solid #dadce0;border-radius:12px;text-decoration:none}
nav a.on{background:#1a73e8;color:#fff;border-color:#1a73e8}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px;border-bottom:1px solid #e0e0e0;vertical-align:top}
.bad{color:#c5221f;font-weight:bold}.paused{color:#b06000;font-weight:bold}
form{display:inline}button{font:inherit;padding:4px 10px;margin:2px 0}
@media (max-width:700px){thead{display:none}table,tbody,tr,td{display:block}tr{border:1px solid #dadce0;border-radius:6px;margin:8px 0;padding:4px}
td{border:0;padding:2px 6px}td::before{content:attr(data-label) ": ";font-weight:bold}}
`;

function layout(view: { iap: boolean; user: string }, title: string, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <style>
          ${new Html(STYLE)}
        </style>
      </head>
      <body>
        ${view.iap ? '' : html`<p class="banner" role="alert">Local status page: no IAP. Anyone who can reach this port can act on the pairs. Never expose it.</p>`}
        <h1>${title}</h1>
        <p>Signed in as ${view.user}${view.iap ? ' (Identity-Aware Proxy)' : ' (no IAP)'}</p>
        ${body}
      </body>
    </html>`;
}

function time(d: Date | null | undefined): string {
  return d ? d.toISOString().replace('T', ' ').slice(0, 19) + 'Z' : '—';
}

function pairRow(m: CaseMapping, global: Global, links: AdminLinks): Html {
  const gSynced = effectiveSyncedAt(m, 'google', global);
  const cSynced = effectiveSyncedAt(m, 'company', global);
  const status = m.resolvedAt
    ? html`closed ${time(m.resolvedAt)}`
    : m.pausedAt
      ? html`<span class="paused">paused</span> since ${time(m.pausedAt)}`
      : html`syncing`;
  const ticket = m.companyCaseKey ?? m.companyCaseID;
  const actions = m.resolvedAt
    ? ''
    : html`${actionLink('sync-now', m.id)} ${actionLink(m.pausedAt ? 'resume' : 'pause', m.id)}`;
  return html`<tr id="pair-${m.id}">
    <td data-label="Google case">
      ${m.googleCaseName ? html`<a href="${links.googleCase(m.googleCaseName)}">${m.googleCaseName}</a>` : '— not created yet'}
    </td>
    <td data-label="Ticket">
      ${ticket ? html`<a href="${links.crmTicket(ticket)}">${ticket}</a>` : '— not created yet'}
    </td>
    <td data-label="Priority">${priorityToGoogle(m.priority)}</td>
    <td data-label="Google → ticket">${time(gSynced)}</td>
    <td data-label="Ticket → Google">${time(cSynced)}</td>
    <td data-label="Outage">
      ${m.outageDetectedAt ? html`<span class="bad">outage since ${time(m.outageDetectedAt)}</span>` : 'no'}
    </td>
    <td data-label="Last error">
      ${m.lastError ? html`<span class="bad">${m.lastError}</span> ${time(m.lastErrorAt)}` : '—'}
    </td>
    <td data-label="Status">${status}</td>
    <td data-label="Actions">${actions}</td>
  </tr>`;
}

const ACTION_LABELS: Readonly<Record<AdminAction, string>> = {
  'sync-now': 'Sync now',
  pause: 'Pause',
  resume: 'Resume',
};

function actionLink(action: AdminAction, id: string): Html {
  return html`<a href="/admin/confirm${query({ action, id })}">${ACTION_LABELS[action]}</a>`;
}

function runRow(r: TaskRun): Html {
  const counts = Object.entries(r.counts)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return html`<tr>
    <td data-label="When">${time(r.at)}</td>
    <td data-label="Task">${r.task}</td>
    <td data-label="About">${r.ref ?? '—'}</td>
    <td data-label="Outcome" class="${r.outcome === 'failed' ? 'bad' : ''}">
      ${r.outcome}${r.reason ? html` (${r.reason})` : ''}
    </td>
    <td data-label="Counts">${counts || '—'}</td>
  </tr>`;
}

export function renderPage(v: PageView): Html {
  const nav = (Object.keys(FILTERS) as FilterName[]).map(
    (f) =>
      html`<a
        href="/admin/${query({ filter: f === 'open' ? undefined : f })}"
        class="${f === v.filter ? 'on' : ''}"
        >${FILTERS[f]}</a
      >`,
  );
  const pairs =
    v.pairs.length === 0
      ? html`<p>No pairs${v.filter === 'open' ? ' yet' : ' match this filter'}.</p>`
      : html`<table>
          <thead>
            <tr>
              <th>Google case</th>
              <th>Ticket</th>
              <th>Priority</th>
              <th>Google → ticket</th>
              <th>Ticket → Google</th>
              <th>Outage</th>
              <th>Last error</th>
              <th>Status</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            ${v.pairs.map((m) => pairRow(m, v.global, v.links))}
          </tbody>
        </table>`;
  const paging = html`<p>
    ${v.firstPage ? '' : html`<a href="/admin/${query({ filter: v.filter === 'open' ? undefined : v.filter })}">First page</a> `}${
      v.nextPageToken
        ? html`<a
            rel="next"
            href="/admin/${query({ filter: v.filter === 'open' ? undefined : v.filter, page: v.nextPageToken })}"
            >Next page</a
          >`
        : ''
    }
  </p>`;
  const runs =
    v.runs.length === 0
      ? html`<p>No task run recorded yet (runs that find and do nothing are not recorded).</p>`
      : html`<table>
          <thead>
            <tr>
              <th>When</th>
              <th>Task</th>
              <th>About</th>
              <th>Outcome</th>
              <th>Counts</th>
            </tr>
          </thead>
          <tbody>
            ${v.runs.map(runRow)}
          </tbody>
        </table>`;
  return layout(
    v,
    'Case sync status',
    html`${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''}
      <p>
        Last polls: Google ${time(v.global.google_last_polled_at)}, ticket system
        ${time(v.global.company_last_polled_at)}
      </p>
      <nav>${nav}</nav>
      <h2>${FILTERS[v.filter]} pairs</h2>
      ${pairs} ${paging}
      <h2>Recent task runs</h2>
      ${runs}`,
  );
}

export function renderConfirm(
  v: { iap: boolean; user: string },
  action: AdminAction,
  m: CaseMapping,
): Html {
  const what = m.googleCaseName ?? m.companyCaseKey ?? m.id;
  const effect: Readonly<Record<AdminAction, string>> = {
    'sync-now': 'Both sync tasks of this pair are queued now.',
    pause: 'Polls, the outage detector and sync tasks skip this pair until it is resumed.',
    resume: 'The pair syncs again; both sync tasks are queued now.',
  };
  return layout(
    v,
    `${ACTION_LABELS[action]}?`,
    html`<p>${ACTION_LABELS[action]} the pair of ${what}? ${effect[action]}</p>
      <form method="post" action="/admin/actions">
        <input type="hidden" name="action" value="${action}" /><input
          type="hidden"
          name="id"
          value="${m.id}"
        />
        <button type="submit">Confirm: ${ACTION_LABELS[action]}</button>
      </form>
      <p><a href="/admin/">Cancel</a></p>`,
  );
}

export function renderMessage(
  v: { iap: boolean; user: string },
  title: string,
  text: string,
): Html {
  return layout(
    v,
    title,
    html`<p>${text}</p>
      <p><a href="/admin/">Back to the status page</a></p>`,
  );
}
