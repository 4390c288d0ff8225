// The investigation console: search, entity views with their reasons and counters, the
// neighbourhood graph, the account timeline, the review queue with operator actions, and the
// policy backtest. Everything goes through the API with the key entered here, so the API's scopes
// decide what a key may do and its audit log records what was done.
import { call, key, viewPath, segment, rangePath } from './api.js';
import { h, byId, show, status, table, facts, number, score, when } from './dom.js';
import * as graph from './graph.js';
import * as charts from './charts.js';
import { initBacktest } from './backtest.js';

const CAMPAIGN_PAGE = 100;
const INSTALL_HINT = 'run ./run.sh or ./test.sh, or: bash -c \'source scripts/lib.sh && ensure_console_vendor\', then rebuild';
const state = { canRead: false, canOperate: false, current: null, lists: new Map(), listsPartial: false };

/**
 * The allow and deny lists' entries by "type:id" (the first 1000 of each; listsPartial says when
 * there are more), read once per key and again after a list action, to mark listed entities.
 */
async function loadLists() {
  const lists = new Map();
  let partial = false;
  for (const list of ['deny', 'allow']) {
    try {
      const page = await call(`/v1/lists/${list}?limit=1000`);
      for (const entry of page.entries ?? []) lists.set(`${entry.entityType}:${entry.entityId}`, entry);
      partial ||= Boolean(page.next);
    } catch {
      partial = true;
    }
  }
  state.lists = lists;
  state.listsPartial = partial;
}

const listFact = (type, id) => {
  const entry = state.lists.get(`${type}:${id}`);
  return ['list', entry ? `${entry.list} list (by ${entry.addedBy} at ${when(entry.addedAt)}: ${entry.reason}${entry.expiresAt ? `; until ${when(entry.expiresAt)}` : ''})`
    : state.listsPartial ? 'not among the list entries read' : 'on no list'];
};

function reportMissingLibraries() {
  const missing = [];
  if (!graph.available()) missing.push('graph library (Cytoscape.js with fcose)');
  if (!charts.available()) missing.push('chart library (uPlot)');
  if (missing.length === 0) return;
  const warning = byId('vendor-warning');
  warning.textContent = `The ${missing.join(' and the ')} ${missing.length > 1 ? 'are' : 'is'} not installed: ${INSTALL_HINT}. ` +
    'Searches, views, actions and tables work without them.';
  warning.hidden = false;
}

// ---- The key ---------------------------------------------------------------------------------

async function checkKey() {
  const keyStatus = byId('key-status');
  state.canRead = false;
  state.canOperate = false;
  if (!key.get()) {
    status(keyStatus, 'No key entered: enter an API key with the read scope (operate to act). It is kept in this browser tab only.');
    refreshActions();
    return;
  }
  status(keyStatus, 'Checking the key …');
  try {
    await call('/v1/campaigns?limit=1');
    state.canRead = true;
    await loadLists();
  } catch (error) {
    status(keyStatus, error.status === 401 ? `The key was not accepted (${error.message}).`
      : error.status === 403 ? `The key lacks the read scope (${error.message}).` : `Could not check the key: ${error.message}`, true);
    refreshActions();
    return;
  }
  await loadReview();
  status(keyStatus, state.canOperate ? 'Key accepted: read and operate.' : 'Key accepted: read only (actions are hidden; the review queue needs operate).');
  byId('search-query').focus();
}

function refreshActions() {
  document.body.classList.toggle('can-operate', state.canOperate);
  if (state.current) renderEntity(state.current.type, state.current.id, state.current.view);
}

// ---- Search and views ------------------------------------------------------------------------

async function open(type, id, { drawGraph = true } = {}) {
  const searchStatus = byId('search-status');
  status(searchStatus, `Loading ${graph.TYPE_NAMES[type]} ${id} …`);
  let view;
  try {
    view = await call(viewPath(type, id));
  } catch (error) {
    status(searchStatus, error.status === 404 ? `No ${graph.TYPE_NAMES[type]} ${id} is known to the service.` : error.message, true);
    return;
  }
  status(searchStatus, `Showing ${graph.TYPE_NAMES[type]} ${id}.`);
  state.current = { type, id, view };
  renderEntity(type, id, view);
  if (type === 'account') timeline(view);
  if (drawGraph) await drawAround(type, view);
}

/** The account the graph is drawn around: the account itself, or one linked to the entity. */
async function drawAround(type, view) {
  const root = type === 'account' ? view.accountId
    : type === 'campaign' ? view.members?.[0] : view.recentAccounts?.[0];
  const graphStatus = byId('graph-status');
  state.graphRoot = root;
  if (!root) {
    graph.clear('No account to draw a graph around.');
    status(graphStatus, '');
    return;
  }
  status(graphStatus, 'Loading the graph …');
  try {
    const [neighbourhood, rootView] = await Promise.all([
      call(`/v1/accounts/${segment(root)}/graph?depth=2&limit=200`),
      type === 'account' ? view : call(viewPath('account', root)),
    ]);
    const campaigns = await campaignsIn(neighbourhood, [...(type === 'campaign' ? [view] : []), ...campaignsOf(rootView)]);
    graph.draw(neighbourhood, { root, campaigns, lists: state.lists, onSelect: (t, i) => open(t, i, { drawGraph: false }) });
    const around = type === 'account' ? '' : ` (around account ${root}, linked to this ${graph.TYPE_NAMES[type]})`;
    status(graphStatus, `${neighbourhood.nodes.length} nodes, ${neighbourhood.edges.length} links${around}` +
      `${neighbourhood.truncated ? ', truncated at 200 nodes' : ''}${campaigns.length ? `, the members of campaign ${campaigns.map((c) => c.campaignId).join(', ')} grouped` : ''}.` +
      (graph.available() ? ' Choose a node (in the graph or the list) to see its view.' : ` The drawing needs the graph library: ${INSTALL_HINT}.`));
  } catch (error) {
    graph.clear();
    status(graphStatus, `The graph could not be loaded: ${error.message}`, true);
  }
}

/**
 * The campaigns to group in a graph: those given (views or ids: the campaign searched, the ones the
 * root account's reasons name) and those of the largest campaigns' page that have a member or a
 * shared entity in the graph (an account's reasons name its campaign only while it is among its
 * top reasons).
 */
async function campaignsIn(neighbourhood, given) {
  const inGraph = new Set((neighbourhood.nodes ?? []).map((n) => `${n.type}:${n.id}`));
  const found = new Map();
  try {
    const page = await call(`/v1/campaigns?limit=${CAMPAIGN_PAGE}`);
    for (const campaign of page.campaigns ?? []) {
      if ((campaign.members ?? []).some((m) => inGraph.has(`account:${m}`))
        || (campaign.sharedEntities ?? []).some((e) => inGraph.has(`${e.type}:${e.id}`))) found.set(campaign.campaignId, campaign);
    }
  } catch {
    // The grouping is a help; the graph is drawn without it.
  }
  for (const item of given) {
    const id = typeof item === 'string' ? item : item.campaignId;
    if (found.has(id)) continue;
    const campaign = typeof item === 'string' ? await call(viewPath('campaign', id)).catch(() => null) : item;
    if (campaign) found.set(id, campaign);
  }
  return [...found.values()];
}

/** Campaign ids named by an account's CAMPAIGN reason. */
function campaignsOf(account) {
  return (account?.reasons ?? []).filter((r) => r.code === 'CAMPAIGN').flatMap((r) => r.detail.match(/cmp-[0-9a-z]+/g) ?? []);
}

const linkButtons = (type, ids) => h('div', { class: 'links' },
  (ids ?? []).map((id) => h('button', { type: 'button', onclick: () => open(type, id) }, id)));

const reasonsTable = (reasons) => table('Reasons, the largest contribution first', [
  ['code', (r) => r.code], ['contribution', (r) => score(r.contribution), { numeric: true }], ['detail', (r) => r.detail]], reasons ?? []);

const usageTable = (usage) => (usage ? table('Usage counters (rolling windows)', [
  ['window', (r) => r[0]], ['value', (r) => number(r[1]), { numeric: true }]], [
  ['requests, last minute', usage.requestsLastMinute], ['requests, last hour', usage.requestsLastHour],
  ['requests, last day', usage.requestsLastDay], ['tokens, last hour', usage.tokensLastHour], ['requests, total', usage.requestsTotal]]) : null);

const paymentsFacts = (p) => (p ? [['payments', `${number(p.succeeded)} succeeded, ${number(p.declined)} declined, ${number(p.chargebacks)} chargebacks, ${number(p.refunded)} refunded`]] : []);

const labelFact = (labels, detail) => ['labels', labels?.length
  ? `${labels.join(', ')}${detail ? ` (by ${detail.labelledBy ?? '?'} at ${when(detail.labelledAt)}${detail.reason ? `: ${detail.reason}` : ''})` : ''}` : 'none'];

function renderEntity(type, id, view) {
  const parts = [h('h3', { id: 'entity-title' }, `${graph.TYPE_NAMES[type]} ${id}`)];
  switch (type) {
    case 'account': {
      const campaigns = campaignsOf(view);
      parts.push(facts([
        ['score', h('span', { class: 'score' }, score(view.score))], ['request decision', view.requestDecision],
        ['held until', when(view.holdUntil)], ['released until', when(view.releasedUntil)],
        labelFact(view.labels, view.labelDetail), listFact(type, id), ['created', when(view.createdAt)], ['last seen', when(view.lastSeenAt)],
        ...paymentsFacts(view.payments), ['policy version', view.policyVersion]]),
      reasonsTable(view.reasons), usageTable(view.usage),
      h('h4', {}, 'Cards'), linkButtons('payment-instrument', view.paymentInstruments),
      h('h4', {}, 'IP ranges'), linkButtons('ip-range', view.ipRanges),
      h('h4', {}, 'Template buckets'), linkButtons('prompt-template', view.promptBuckets),
      campaigns.length ? [h('h4', {}, 'Campaign'), linkButtons('campaign', campaigns)] : null,
      h('button', { type: 'button', onclick: () => drawAround('account', view) }, 'Draw the graph around this account'));
      break;
    }
    case 'campaign':
      parts.push(facts([['size', number(view.size)], ['first seen', when(view.firstSeenAt)],
        ['traffic by model', Object.entries(view.trafficByModel ?? {}).map(([m, share]) => `${m} ${(share * 100).toFixed(0)} %`).join(', ')]]),
      table('Evidence', [['code', (e) => e.code], ['value', (e) => score(e.value), { numeric: true }], ['detail', (e) => e.detail]], view.evidence ?? []),
      h('h4', {}, 'Shared entities'),
      h('div', { class: 'links' }, (view.sharedEntities ?? []).map((e) => h('button', { type: 'button', onclick: () => open(e.type, e.id) }, `${graph.TYPE_NAMES[e.type] ?? e.type} ${e.id}`))),
      h('h4', {}, `Members (a sample of ${number(view.members?.length ?? 0)})`), linkButtons('account', view.members));
      break;
    default:
      parts.push(facts([
        ['risk', h('span', { class: 'score' }, score(view.risk))], labelFact(view.labels, view.labelDetail), listFact(type, id),
        ['distinct accounts', number(view.distinctAccounts ?? view.sharingAccounts)],
        ['signups', view.signupsLastHour === undefined ? null : `${number(view.signupsLastHour)} in the last hour, ${number(view.signupsLastDay)} in the last day`],
        ['suspicion', view.suspicion === undefined ? null : score(view.suspicion)], ['lockstep', view.lockstep === undefined ? null : score(view.lockstep)],
        ['fingerprints', view.fingerprints?.join(', ')], ...paymentsFacts(view.payments),
        ['threat intel', (view.threatIntel ?? []).map((t) => JSON.stringify(t)).join('; ')],
        ['first seen', when(view.firstSeenAt)], ['last seen', when(view.lastSeenAt)]]),
      usageTable(view.usage), h('h4', {}, 'Recent accounts'), linkButtons('account', view.recentAccounts));
  }
  if (state.canOperate) parts.push(actions(type, id));
  show(byId('entity-view'), parts);
}

// ---- Operator actions (operate scope; each is an audited API call) ----------------------------

function actions(type, id) {
  const result = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', id: 'action-status' });
  const act = (what, request) => async (event) => {
    event.preventDefault();
    status(result, `${what} …`);
    try {
      const answer = await request(new FormData(event.target));
      if (what === 'List') await loadLists();
      // The view and the graph are read again to show the change; the view's fresh status line says what was done.
      await open(type, id, { drawGraph: false });
      if (state.graphRoot) await drawAround('account', await call(viewPath('account', state.graphRoot)));
      status(byId('action-status') ?? result, `${what}: done${answer?.labelledBy ? ` by ${answer.labelledBy}` : ''}.`);
    } catch (error) {
      status(result, `${what} failed: ${error.message}`, true);
    }
  };
  const reasonField = (form) => [h('label', { for: `${form}-reason` }, 'Reason'), h('input', { id: `${form}-reason`, name: 'reason', required: true })];
  const forms = [
    h('form', { id: 'label-form', class: 'row', onsubmit: act('Label', (f) => call('/v1/labels', { method: 'POST', body: { entityType: type, entityId: id, label: f.get('label'), reason: f.get('reason') } })) },
      h('label', { for: 'label-kind' }, 'Label'),
      h('select', { id: 'label-kind', name: 'label' }, ['fraud', 'trusted', 'cleared'].map((l) => h('option', { value: l }, l))),
      reasonField('label'), h('button', { type: 'submit' }, 'Apply label')),
  ];
  if (type !== 'campaign') {
    const entityPath = type === 'ip-range' ? rangePath(id) : segment(id);
    forms.push(h('form', { id: 'list-form', class: 'row', onsubmit: act('List', (f) => call(`/v1/lists/${f.get('list')}/${type}/${entityPath}`, { method: 'PUT', body: { reason: f.get('reason') } })) },
      h('label', { for: 'list-kind' }, 'List'),
      h('select', { id: 'list-kind', name: 'list' }, h('option', { value: 'deny' }, 'deny'), h('option', { value: 'allow' }, 'allow')),
      reasonField('list'), h('button', { type: 'submit' }, 'Add to the list')));
  }
  if (type === 'account') {
    forms.push(h('form', { id: 'release-form', class: 'row', onsubmit: act('Release', (f) => call(`/v1/accounts/${segment(id)}/release`, { method: 'POST', body: { reason: f.get('reason') } })) },
      reasonField('release'), h('button', { type: 'submit', class: 'danger' }, 'Release the hold')));
  }
  return h('div', { class: 'actions' }, h('h4', {}, 'Actions (operate)'), forms, result);
}

// ---- Timeline --------------------------------------------------------------------------------

function timeline(account) {
  const item = `reputation.observations.${account.accountId}`;
  const samples = JSON.parse(sessionStorage.getItem(item) ?? '[]');
  samples.push({ at: Date.now(), score: account.score, requestsLastMinute: account.usage?.requestsLastMinute ?? 0 });
  sessionStorage.setItem(item, JSON.stringify(samples.slice(-200)));
  const u = account.usage ?? {};
  show(byId('timeline-table'),
    h('h3', {}, 'Requests per retained window'),
    charts.bars(`Requests of account ${account.accountId} in each retained window`, [
      ['last minute', u.requestsLastMinute ?? 0], ['last hour', u.requestsLastHour ?? 0], ['last day', u.requestsLastDay ?? 0]]),
    table(`Account ${account.accountId}: counters as of ${when(new Date())}`, [['counter', (r) => r[0]], ['value', (r) => number(r[1]), { numeric: true }]], [
      ['requests, last minute', u.requestsLastMinute], ['requests, last hour', u.requestsLastHour], ['requests, last day', u.requestsLastDay],
      ['tokens, last hour', u.tokensLastHour], ['requests, total', u.requestsTotal], ['score now', account.score]]));
  charts.observations(byId('timeline'), account.accountId, samples);
}

// ---- Review queue ----------------------------------------------------------------------------

async function loadReview(after) {
  const reviewStatus = byId('review-status');
  try {
    const page = await call(`/v1/review?limit=20${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    state.canOperate = true;
    status(reviewStatus, page.items.length ? `${page.items.length} held ${page.items.length === 1 ? 'item' : 'items'}, highest score first.` : 'Nothing is held for review.');
    show(byId('review'), page.items.length === 0 ? null : table(null, [
      ['held', (r) => h('button', { type: 'button', onclick: () => open(r.kind, r.id) }, `${graph.TYPE_NAMES[r.kind] ?? r.kind} ${r.id}`)],
      ['score', (r) => score(r.score), { numeric: true }], ['decision', (r) => r.decision],
      ['held since', (r) => when(r.heldSince)], ['until', (r) => when(r.holdUntil)],
      ['accounts held', (r) => (r.accountsHeld === undefined || r.accountsHeld === null ? '' : number(r.accountsHeld)), { numeric: true }],
      ['top reason', (r) => (r.reasons?.[0] ? `${r.reasons[0].code}: ${r.reasons[0].detail}` : '')]], page.items),
    page.next ? h('button', { type: 'button', onclick: () => loadReview(page.next) }, 'Next page') : null);
  } catch (error) {
    state.canOperate = false;
    show(byId('review'));
    status(reviewStatus, error.status === 403 ? 'The review queue needs a key with the operate scope.' : `The review queue could not be loaded: ${error.message}`, error.status !== 403);
  }
  refreshActions();
}

async function listCampaigns() {
  try {
    const page = await call('/v1/campaigns?limit=50');
    show(byId('campaign-list'), table(page.campaigns.length ? 'Campaigns, the largest first' : 'No campaigns have formed.', [
      ['campaign', (c) => h('button', { type: 'button', onclick: () => open('campaign', c.campaignId) }, c.campaignId)],
      ['size', (c) => number(c.size), { numeric: true }], ['first seen', (c) => when(c.firstSeenAt)],
      ['evidence', (c) => (c.evidence ?? []).map((e) => e.code).join(', ')]], page.campaigns));
  } catch (error) {
    status(byId('search-status'), error.message, true);
  }
}

// ---- Wiring ----------------------------------------------------------------------------------

byId('key-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = byId('key');
  key.set(input.value.trim());
  input.value = '';
  await checkKey();
});
byId('forget-key').addEventListener('click', () => {
  key.clear();
  show(byId('review'));
  status(byId('review-status'), '');
  checkKey();
});
byId('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const kind = byId('search-kind').value;
  let query = byId('search-query').value.trim();
  // An IPv4 address alone stands for its /24, the range the service keeps unless a policy widens it.
  const address = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(query);
  if (kind === 'ip-range' && address) query = `${address[1]}.${address[2]}.${address[3]}.0/24`;
  if (query) open(kind, query);
});
byId('list-campaigns').addEventListener('click', listCampaigns);
byId('review-load').addEventListener('click', () => loadReview());
initBacktest();
reportMissingLibraries();
checkKey();
