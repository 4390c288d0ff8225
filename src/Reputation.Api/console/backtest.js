// The backtest panel: a candidate policy (prefilled from the current one, or a file) is sent to
// POST /v1/policies/{name}/backtest, which replays sampled accounts under both policies; the answer
// is drawn as a (current, candidate) table per decision kind, the changed accounts and score
// histograms. The answer is read defensively: missing parts are left out, not guessed.
import { call, segment } from './api.js';
import { h, byId, show, status, table, number, score } from './dom.js';
import * as charts from './charts.js';

export function initBacktest() {
  const body = byId('backtest-body');
  const panelStatus = byId('backtest-status');
  const policyName = () => byId('backtest-policy').value.trim() || 'default';

  byId('backtest-prefill').addEventListener('click', async () => {
    status(panelStatus, 'Loading the current policy …');
    try {
      const policy = await call(`/v1/policies/${segment(policyName())}`);
      body.value = JSON.stringify(policy, null, 2);
      status(panelStatus, `Loaded policy ${policyName()} version ${policy?.version ?? '?'}; edit it and run the backtest.`);
    } catch (error) {
      status(panelStatus, `The policy could not be loaded: ${error.message}`, true);
    }
  });

  byId('backtest-file').addEventListener('change', async (event) => {
    const file = event.target.files?.[0];
    if (!file) return;
    body.value = await file.text();
    status(panelStatus, `Loaded ${file.name}; run the backtest to compare it with the current policy.`);
  });

  byId('backtest-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = byId('backtest-result');
    show(result);
    let candidate;
    try {
      candidate = JSON.parse(body.value);
    } catch (error) {
      status(panelStatus, `The candidate policy is not JSON: ${error.message}`, true);
      body.focus();
      return;
    }
    status(panelStatus, 'Running the backtest …');
    try {
      const answer = await call(`/v1/policies/${segment(policyName())}/backtest`, { method: 'POST', body: candidate });
      render(result, answer ?? {});
      status(panelStatus, `Backtest of policy ${policyName()} done.`);
    } catch (error) {
      status(panelStatus, error.status === 404 || error.status === 405
        ? `This service has no backtest endpoint (POST /v1/policies/{name}/backtest answered HTTP ${error.status}): it needs a newer version of the service.`
        : `The backtest failed: ${error.message}`, true);
    }
  });
}

function render(container, answer) {
  for (const kind of Array.isArray(answer.kinds) ? answer.kinds : []) {
    const rows = Array.isArray(kind.table) ? kind.table : [];
    container.append(h('h3', {}, `${kind.kind ?? 'decisions'}: ${number(kind.sampled ?? 0)} sampled`),
      table('Decisions under the current and the candidate policy', [
        ['current', (r) => r.current], ['candidate', (r) => r.candidate], ['accounts', (r) => number(r.count), { numeric: true }],
        ['changed', (r) => (r.current === r.candidate ? '' : 'yes')]], rows));
  }
  const changed = Array.isArray(answer.changed) ? answer.changed : [];
  if (changed.length > 0 || answer.changedTotal !== undefined) {
    container.append(h('h3', {}, `Changed accounts: ${number(answer.changedTotal ?? changed.length)}${changed.length < (answer.changedTotal ?? 0) ? ` (the first ${changed.length} shown)` : ''}`),
      table(null, [['account', (c) => c.accountId], ['kind', (c) => c.kind], ['current', (c) => c.current], ['candidate', (c) => c.candidate],
        ['current score', (c) => score(c.currentScore), { numeric: true }], ['candidate score', (c) => score(c.candidateScore), { numeric: true }]], changed));
  }
  const histograms = Array.isArray(answer.histograms) ? answer.histograms : [];
  if (histograms.length > 0) {
    const figures = h('div', { class: 'charts' });
    container.append(h('h3', {}, 'Score histograms'), figures);
    for (const histogram of histograms) {
      charts.histogram(figures, `${histogram.kind ?? ''} scores: current against candidate`,
        histogram.bins ?? [], histogram.current ?? [], histogram.candidate ?? []);
    }
  }
  if (container.childElementCount === 0) container.append(h('p', { class: 'hint' }, 'The backtest answered, but with nothing to show.'));
}
