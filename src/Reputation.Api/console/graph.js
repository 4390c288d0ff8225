// The neighbourhood graph: Cytoscape.js with the fcose layout (vendored). Nodes are coloured by
// score band, shaped by type; a campaign's members in the graph sit inside a dashed compound node.
// The list under the graph holds the same nodes as buttons, for the keyboard and screen readers.
import { h, byId, show, band, score } from './dom.js';

const COLOURS = { low: '#2e7d32', medium: '#9a6700', high: '#d84315', critical: '#b71c1c' };
const SHAPES = { account: 'ellipse', 'payment-instrument': 'round-rectangle', 'ip-range': 'diamond', 'prompt-template': 'hexagon' };
export const TYPE_NAMES = { account: 'account', 'payment-instrument': 'card', 'ip-range': 'IP range', 'prompt-template': 'template bucket', campaign: 'campaign' };
const EDGE_TARGETS = { 'uses-payment-instrument': 'payment-instrument', 'seen-in-ip-range': 'ip-range', 'shares-prompt-template': 'prompt-template' };

let cy = null;
let registered = false;

/** True when the vendored Cytoscape.js and its fcose layout (with cose-base and layout-base) loaded. */
export const available = () => typeof window.cytoscape === 'function' && typeof window.cytoscapeFcose === 'function';

const nodeKey = (type, id) => `${type}:${id}`;
const shortId = (id) => (id.length > 22 ? `${id.slice(0, 10)}…${id.slice(-8)}` : id);

/**
 * Draws graph ({nodes, edges, truncated} from GET /v1/accounts/{id}/graph) around root; campaigns
 * ([{campaignId, size, members}]) group the members present; lists (Map "type:id" -> list entry) mark
 * listed nodes. onSelect(type, id) opens a node's view.
 */
export function draw(graph, { root, campaigns = [], lists = new Map(), onSelect }) {
  const parentOf = new Map();
  const elements = [];
  for (const campaign of campaigns) {
    const id = nodeKey('campaign', campaign.campaignId);
    elements.push({ data: { id, entityId: campaign.campaignId, type: 'campaign', band: 'campaign', label: `campaign ${campaign.campaignId} (${campaign.size} accounts)` } });
    for (const member of campaign.members ?? []) parentOf.set(nodeKey('account', member), id);
  }
  const present = new Set();
  for (const node of graph.nodes ?? []) {
    const id = nodeKey(node.type, node.id);
    if (present.has(id)) continue;
    present.add(id);
    const labels = node.labels ?? [];
    const listed = lists.get(id)?.list ?? 'none';
    const marks = [...labels, ...(listed === 'none' ? [] : [`${listed} list`])];
    elements.push({
      data: {
        id, entityId: node.id, type: node.type, score: node.score, band: band(node.score), labels: labels.join(' '), listed,
        root: node.type === 'account' && node.id === root ? 'yes' : 'no',
        label: `${shortId(node.id)}${marks.length ? ` [${marks.join(', ')}]` : ''}`,
        parent: node.type === 'account' ? parentOf.get(id) : undefined,
      },
    });
  }
  // Campaigns with no member in the graph are left out (an empty compound node would float alone).
  const used = new Set([...parentOf.entries()].filter(([member]) => present.has(member)).map(([, parent]) => parent));
  const kept = elements.filter((e) => e.data.type !== 'campaign' || used.has(e.data.id));
  (graph.edges ?? []).forEach((edge, i) => {
    const source = nodeKey('account', edge.from);
    const target = nodeKey(EDGE_TARGETS[edge.kind] ?? 'prompt-template', edge.to);
    if (present.has(source) && present.has(target)) kept.push({ data: { id: `edge-${i}`, source, target, kind: edge.kind } });
  });

  list(kept.filter((e) => !e.data.source), onSelect);
  if (!available()) {
    show(byId('graph'), h('p', { class: 'hint' }, 'No drawing: the graph library is not installed. The nodes are listed below.'));
    return null;
  }
  if (!registered) {
    window.cytoscape.use(window.cytoscapeFcose);
    registered = true;
  }
  cy?.destroy();
  show(byId('graph'));
  cy = window.cytoscape({
    container: byId('graph'),
    elements: kept,
    style: styles(),
    wheelSensitivity: 0.3,
    layout: { name: 'fcose', animate: false, randomize: true, nodeDimensionsIncludeLabels: true, padding: 20 },
  });
  cy.on('tap', 'node', (event) => select(event.target.id(), onSelect));
  // For the browser tests and for an investigator's own scripting in the developer tools.
  window.consoleGraph = cy;
  return cy;
}

function select(id, onSelect) {
  if (cy) {
    cy.elements().unselect();
    cy.getElementById(id).select();
  }
  for (const button of byId('graph-nodes').querySelectorAll('button')) {
    button.setAttribute('aria-current', button.dataset.node === id ? 'true' : 'false');
  }
  const [type, ...rest] = id.split(':');
  onSelect(type, rest.join(':'));
}

function list(nodes, onSelect) {
  const order = ['campaign', 'account', 'payment-instrument', 'ip-range', 'prompt-template'];
  const sorted = [...nodes].sort((a, b) => order.indexOf(a.data.type) - order.indexOf(b.data.type) || (b.data.score ?? 0) - (a.data.score ?? 0));
  show(byId('graph-nodes'), sorted.map(({ data }) => h('li', {},
    h('button', { type: 'button', 'data-node': data.id, 'aria-current': 'false', onclick: () => select(data.id, onSelect) },
      data.type !== 'campaign' ? h('span', { class: `swatch band-${data.band}`, 'aria-hidden': 'true' }) : null,
      `${TYPE_NAMES[data.type]} ${data.entityId}`,
      data.type !== 'campaign' ? ` — score ${score(data.score)} (${data.band})` : '',
      data.labels ? ` — labelled ${data.labels}` : '',
      data.listed && data.listed !== 'none' ? ` — on the ${data.listed} list` : '',
      data.parent ? ' — in the campaign' : ''))));
}

function styles() {
  return [
    {
      selector: 'node',
      style: {
        label: 'data(label)', 'font-size': 10, color: '#1a1a1a', 'text-valign': 'bottom', 'text-margin-y': 3,
        'text-background-color': '#ffffff', 'text-background-opacity': 0.8, 'text-background-padding': 1,
        width: 24, height: 24, 'border-width': 1, 'border-color': '#ffffff',
      },
    },
    ...Object.entries(COLOURS).map(([b, colour]) => ({ selector: `node[band = "${b}"]`, style: { 'background-color': colour } })),
    ...Object.entries(SHAPES).map(([type, shape]) => ({ selector: `node[type = "${type}"]`, style: { shape } })),
    { selector: 'node[root = "yes"]', style: { width: 36, height: 36, 'border-width': 3, 'border-color': '#1a1a1a', 'font-weight': 'bold' } },
    { selector: 'node[labels *= "fraud"]', style: { 'border-width': 5, 'border-style': 'double', 'border-color': '#000000' } },
    { selector: 'node[labels *= "trusted"]', style: { 'border-width': 4, 'border-color': '#0b5cad' } },
    { selector: 'node[listed = "deny"]', style: { 'underlay-color': '#000000', 'underlay-opacity': 0.35, 'underlay-padding': 6 } },
    { selector: 'node[listed = "allow"]', style: { 'underlay-color': '#0b5cad', 'underlay-opacity': 0.35, 'underlay-padding': 6 } },
    {
      selector: 'node[type = "campaign"]',
      style: {
        shape: 'round-rectangle', 'background-color': '#b71c1c', 'background-opacity': 0.07, 'border-style': 'dashed',
        'border-width': 2, 'border-color': '#b71c1c', 'text-valign': 'top', 'font-weight': 'bold', padding: 12,
      },
    },
    { selector: 'node:selected', style: { 'overlay-color': '#b35900', 'overlay-opacity': 0.3, 'overlay-padding': 6 } },
    { selector: 'edge', style: { width: 1.5, 'line-color': '#8a8a8a', 'curve-style': 'straight' } },
    { selector: 'edge[kind = "seen-in-ip-range"]', style: { 'line-style': 'dashed' } },
    { selector: 'edge[kind = "shares-prompt-template"]', style: { 'line-style': 'dotted' } },
  ];
}

/** Forgets the drawn graph (a new search that has none). */
export function clear(message) {
  cy?.destroy();
  cy = null;
  window.consoleGraph = undefined;
  show(byId('graph-nodes'));
  show(byId('graph'), message ? h('p', { class: 'hint' }, message) : null);
}
