// Calls to the service's own API (same origin) with the key the operator entered. The key lives in
// sessionStorage: this tab only, gone when it closes, never in a URL.
const KEY_ITEM = 'reputation.apiKey';

export const key = {
  get: () => sessionStorage.getItem(KEY_ITEM),
  set: (value) => sessionStorage.setItem(KEY_ITEM, value),
  clear: () => sessionStorage.removeItem(KEY_ITEM),
};

/** An answer other than 2xx, with the problem details (RFC 9457) the API sent, if any. */
export class ApiError extends Error {
  constructor(status, problem, text) {
    super(describe(status, problem, text));
    this.status = status;
    this.problem = problem;
  }
}

function describe(status, problem, text) {
  if (problem && typeof problem === 'object') {
    const parts = [`HTTP ${status}`];
    if (problem.title) parts.push(problem.title);
    if (problem.detail) parts.push(problem.detail);
    if (problem.errors && typeof problem.errors === 'object') {
      for (const [field, messages] of Object.entries(problem.errors)) {
        parts.push(`${field}: ${[].concat(messages).join('; ')}`);
      }
    }
    return parts.join(' — ');
  }
  return `HTTP ${status}${text ? ` — ${text.slice(0, 300)}` : ''}`;
}

/** One API call; resolves to the parsed JSON body (null when empty), rejects with ApiError. */
export async function call(path, { method = 'GET', body, headers = {} } = {}) {
  const sent = { Accept: 'application/json, application/problem+json', ...headers };
  const apiKey = key.get();
  if (apiKey) sent['X-Api-Key'] = apiKey;
  if (body !== undefined) sent['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers: sent,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await response.text();
  let json = null;
  if (text) {
    try { json = JSON.parse(text); } catch { json = null; }
  }
  if (!response.ok) throw new ApiError(response.status, json, text);
  return json;
}

/** Path segment: ids go into the path escaped; an IP range keeps its one slash (network/prefix). */
export const segment = (id) => encodeURIComponent(id);
export const rangePath = (range) => range.split('/').map(encodeURIComponent).join('/');

/** The API path of an entity's view. */
export function viewPath(type, id) {
  switch (type) {
    case 'account': return `/v1/accounts/${segment(id)}`;
    case 'payment-instrument': return `/v1/payment-instruments/${segment(id)}`;
    case 'ip-range': return `/v1/ip-ranges/${rangePath(id)}`;
    case 'prompt-template': return `/v1/prompt-templates/${segment(id)}`;
    case 'campaign': return `/v1/campaigns/${segment(id)}`;
    default: throw new Error(`unknown entity type ${type}`);
  }
}
