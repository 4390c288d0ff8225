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

const KINDS = ['signup', 'request', 'billing'];

// The answer's shape is BacktestResult (docs/operations.md, "Backtesting a policy"): per decision
// kind the (current, candidate) table, the accounts whose decision would change and the scores in
// tenths under both policies.
function render(container, answer) {
  container.replaceChildren();
  container.append(h('p', {}, `Policy ${answer.policy ?? '?'} version ${answer.currentVersion ?? '?'} against the candidate: `
    + `${number(answer.sampled ?? 0)} sampled decisions from ${number(answer.silos ?? 0)} silo(s), ${number(answer.changed ?? 0)} would change.`));
  const figures = h('div', { class: 'charts' });
  for (const name of KINDS) {
    const kind = answer[name];
    if (!kind || !(kind.sampled > 0)) continue;
    const rows = Array.isArray(kind.table) ? kind.table : [];
    container.append(h('h3', {}, `${name}: ${number(kind.sampled)} sampled, ${number(kind.changed ?? 0)} would change`),
      table(`${name} decisions under the current and the candidate policy`, [
        ['current', (r) => r.current], ['candidate', (r) => r.candidate], ['decisions', (r) => number(r.count), { numeric: true }],
        ['changed', (r) => (r.current === r.candidate ? '' : 'yes')]], rows));
    const changed = Array.isArray(kind.changedAccounts) ? kind.changedAccounts : [];
    if (changed.length > 0) {
      container.append(table(`${name}: accounts whose decision would change${changed.length < (kind.changed ?? 0) ? ` (the first ${changed.length})` : ''}`,
        [['account', (c) => c.accountId], ['current', (c) => c.current], ['candidate', (c) => c.candidate],
          ['current score', (c) => score(c.currentScore), { numeric: true }], ['candidate score', (c) => score(c.candidateScore), { numeric: true }]], changed));
    }
    const scores = kind.scores;
    if (scores && Array.isArray(scores.bins)) {
      charts.histogram(figures, `${name} scores: current against candidate`, scores.bins, scores.current ?? [], scores.candidate ?? []);
    }
  }
  if (figures.childElementCount > 0) container.append(h('h3', {}, 'Score histograms'), figures);
  if (!(answer.sampled > 0)) container.append(h('p', { class: 'hint' }, 'No decision has been sampled yet: the silos sample the decisions they make.'));
}
