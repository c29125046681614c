// The operator console: sign-in, the accounts model, live updates and the actions.
import { Api, ApiError } from './api.js';
import { EventFeed } from './events.js';
import { AccountsTable, shownState } from './table.js';
import { ConnectDialog, DisconnectDialog } from './dialogs.js';
import { STATES, stateInfo } from './format.js';

const KEY_STORAGE = 'token-broker.console.key';
const RECONCILE_MS = 60_000;
const $ = (id) => document.getElementById(id);

let api = null;
let feed = null;
let table = null;
let connectDialog = null;
let disconnectDialog = null;
let tickTimer = null;
let reconcileTimer = null;
let reconcileSoon = null;

/** provider name -> {name, grant, accounts?}; rows: "provider\0account" -> row */
const model = { providers: new Map(), providersKnown: false, rows: new Map(), loaded: false, complete: true };

const keyOf = (provider, account) => `${provider}\u0000${account}`;

// ---------------------------------------------------------------- sign-in

function showSignIn(message) {
  stopSession();
  $('accounts-view').hidden = true;
  $('session').hidden = true;
  $('sign-in').hidden = false;
  const error = $('sign-in-error');
  error.textContent = message || '';
  error.hidden = !message;
  $('api-key').value = '';
  $('api-key').focus();
}

async function signIn(key, fromStorage) {
  const candidate = new Api(key);
  const button = $('sign-in-button');
  button.disabled = true;
  button.textContent = 'Signing in…';
  try {
    const [list, providers] = await Promise.all([candidate.tokens(), candidate.providers()]);
    sessionStorage.setItem(KEY_STORAGE, key);
    api = candidate;
    startSession(list, providers);
  } catch (e) {
    // only a refused key is forgotten: a broker that is briefly unreachable does not sign the tab out
    if (!fromStorage || e.status === 401 || e.status === 403) sessionStorage.removeItem(KEY_STORAGE);
    const why = e instanceof ApiError ? e.human : `Signing in failed: ${e.message}`;
    showSignIn(fromStorage && e.status === 401 ? 'The key this tab remembered is no longer accepted. Sign in again.' : why);
  } finally {
    button.disabled = false;
    button.textContent = 'Sign in';
  }
}

function signOut(message) {
  sessionStorage.removeItem(KEY_STORAGE);
  api = null;
  showSignIn(message);
}

// ---------------------------------------------------------------- session

function startSession(list, providers) {
  $('sign-in').hidden = true;
  $('accounts-view').hidden = false;
  $('session').hidden = false;
  setProviders(providers);
  applyList(list);
  readFiltersFromUrl();
  render();
  tickTimer = setInterval(() => {
    table.tick(api.now());
    renderSummary();
  }, 1000);
  reconcileTimer = setInterval(() => reload(), RECONCILE_MS);
  feed = new EventFeed(api.key, { onEvent, onStatus: liveStatus, onRejected: streamRejected });
  feed.start();
}

function stopSession() {
  for (const id of ['connect-dialog', 'disconnect-dialog']) if ($(id).open) $(id).close();
  if (feed) feed.stop();
  feed = null;
  clearInterval(tickTimer);
  clearInterval(reconcileTimer);
  clearTimeout(reconcileSoon);
  model.rows.clear();
  model.providers.clear();
  model.loaded = false;
  if (table) table.render([], Date.now());
}

function setProviders(providers) {
  model.providers.clear();
  model.providersKnown = Array.isArray(providers);
  for (const p of providers || []) model.providers.set(p.name, p);
}

/** Replaces the rows with a fresh list, keeping a newer version that an event brought meanwhile. */
function applyList({ tokens, complete }) {
  const previous = model.rows;
  const rows = new Map();
  for (const t of tokens) {
    if (!t || !t.provider || !t.account) continue;
    const key = keyOf(t.provider, t.account);
    const row = normalise(t);
    const known = previous.get(key);
    if (known && known.version != null && row.version != null && known.version > row.version) {
      rows.set(key, known);
    } else {
      rows.set(key, row);
    }
    if (!model.providers.has(t.provider)) model.providers.set(t.provider, { name: t.provider, grant: null });
  }
  // configured client-credentials accounts without a stored token are shown too
  for (const p of model.providers.values()) {
    for (const account of p.accounts || []) {
      const key = keyOf(p.name, account);
      if (!rows.has(key)) rows.set(key, { provider: p.name, account, state: 'not_issued', placeholder: true });
    }
  }
  for (const row of rows.values()) row.grant = (model.providers.get(row.provider) || {}).grant || null;
  model.rows = rows;
  model.loaded = true;
  model.complete = complete;
  model.loadedAt = Date.now();
}

function normalise(t) {
  return {
    provider: t.provider,
    account: t.account,
    state: t.state || null,
    version: typeof t.version === 'number' ? t.version : null,
    expires_at: epochField(t.expires_at),
    refresh_expires_at: epochField(t.refresh_expires_at),
    last_error: t.last_error != null ? t.last_error : t.error || null,
    retry_at: epochField(t.retry_at),
    placeholder: false,
  };
}

function epochField(v) {
  if (v == null || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  if (Number.isFinite(n)) return n;
  const parsed = Date.parse(v);
  return Number.isFinite(parsed) ? Math.floor(parsed / 1000) : null;
}

async function reload() {
  if (!api) return;
  try {
    const [list, providers] = await Promise.all([api.tokens(), api.providers()]);
    if (!api) return;
    if (providers) setProviders(providers);
    applyList(list);
    showLoadError('');
    render();
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      signOut(e.status === 401 ? 'The broker no longer accepts this key. Sign in again.' : e.human);
      return;
    }
    showLoadError(`The account list could not be refreshed: ${e instanceof ApiError ? e.human : e.message} `
      + 'What you see may be out of date; the console keeps trying.');
  }
}

/** Re-reads the list shortly (several events in a row cost one read). */
function reloadSoon() {
  clearTimeout(reconcileSoon);
  reconcileSoon = setTimeout(reload, 800);
}

function showLoadError(text) {
  const banner = $('load-error');
  banner.textContent = text;
  banner.hidden = !text;
}

// ---------------------------------------------------------------- live events

function onEvent(name, e) {
  if (!e || typeof e.provider !== 'string' || typeof e.account !== 'string') return;
  const key = keyOf(e.provider, e.account);
  let row = model.rows.get(key);
  const version = typeof e.version === 'number' ? e.version : null;
  switch (name) {
    case 'token.rotated':
    case 'token.recovered': {
      if (!row) {
        row = { provider: e.provider, account: e.account, grant: (model.providers.get(e.provider) || {}).grant || null };
        model.rows.set(key, row);
        reloadSoon(); // the list has fields the event lacks (refresh token end)
      }
      if (version != null && row.version != null && version < row.version) return; // an older event, late
      if (version != null) row.version = version;
      if (e.expires_at != null) row.expires_at = epochField(e.expires_at);
      row.state = 'valid';
      row.last_error = null;
      row.retry_at = null;
      row.placeholder = false;
      if (name === 'token.rotated' && e.reason === 'authorized' && connectDialog) {
        connectDialog.authorized(e.provider, e.account, version);
      }
      break;
    }
    case 'token.failed':
      if (!row) {
        reloadSoon();
        return;
      }
      row.state = e.authorization_required ? 'authorization_required' : 'failing';
      row.last_error = e.error_description ? `${e.error}: ${e.error_description}` : e.error || 'refresh failed';
      row.retry_at = epochField(e.retry_at);
      break;
    case 'token.expiring':
      if (!row) {
        reloadSoon();
        return;
      }
      row.state = 'expiring';
      if (e.refresh_expires_at != null) row.refresh_expires_at = epochField(e.refresh_expires_at);
      break;
    default:
      return;
  }
  render();
  table.flash(e.provider, e.account);
}

function liveStatus(status, retryInSeconds) {
  const live = $('live');
  live.dataset.status = status;
  $('live-text').textContent = status === 'live' ? 'Live'
    : status === 'connecting' ? 'Connecting…'
      : `Live updates interrupted, retrying in ${retryInSeconds} s`;
  live.title = status === 'live' ? 'Changes appear as the broker makes them.' : 'Changes appear once the event stream is back.';
  if (status === 'live') reload(); // catch up on what happened while the stream was down
}

function streamRejected(status) {
  if (status === 401) {
    signOut('The broker no longer accepts this key. Sign in again.');
    return;
  }
  // an admin key without the events action: read the list every few seconds instead
  const live = $('live');
  live.dataset.status = 'polling';
  $('live-text').textContent = 'Updating every 10 s';
  live.title = 'This key lacks the events action, so the console re-reads the list instead of listening.';
  clearInterval(reconcileTimer);
  reconcileTimer = setInterval(reload, 10_000);
}

// ---------------------------------------------------------------- filters and rendering

const filters = { provider: '', state: '', account: '' };

function readFiltersFromUrl() {
  const q = new URLSearchParams(location.search);
  filters.provider = q.get('provider') || '';
  filters.state = q.get('state') || '';
  filters.account = q.get('account') || '';
  $('filter-state').value = filters.state in STATES ? filters.state : '';
  $('filter-account').value = filters.account;
}

function writeFiltersToUrl() {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  const search = q.toString();
  history.replaceState(null, '', search ? `?${search}` : location.pathname);
}

function providerOptions() {
  const select = $('filter-provider');
  const names = Array.from(model.providers.keys()).sort();
  const wanted = ['', ...names];
  const current = Array.from(select.options).map((o) => o.value);
  if (current.join('\n') !== wanted.join('\n')) {
    select.replaceChildren(...wanted.map((name) => {
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name || 'All providers';
      return option;
    }));
  }
  select.value = names.includes(filters.provider) ? filters.provider : '';
}

function matches(row, now) {
  if (filters.provider && row.provider !== filters.provider) return false;
  if (filters.state && shownState(row, now) !== filters.state) return false;
  if (filters.account && !row.account.toLowerCase().includes(filters.account.toLowerCase())) return false;
  return true;
}

function render() {
  if (!api || !table) return;
  const now = api.now();
  providerOptions();
  const byProvider = new Map();
  for (const name of Array.from(model.providers.keys()).sort()) byProvider.set(name, []);
  for (const row of model.rows.values()) {
    if (!byProvider.has(row.provider)) byProvider.set(row.provider, []);
    byProvider.get(row.provider).push(row);
  }
  const filtering = !!(filters.provider || filters.state || filters.account);
  const groups = [];
  let shown = 0;
  for (const [name, rows] of byProvider) {
    if (filters.provider && name !== filters.provider) continue;
    const visible = rows.filter((r) => matches(r, now)).sort((a, b) => a.account.localeCompare(b.account));
    shown += visible.length;
    // while filtering, a provider with nothing to show is left out rather than listed empty
    if (filtering && visible.length === 0) continue;
    groups.push({ provider: model.providers.get(name) || { name }, rows: visible, total: rows.length });
  }
  table.render(groups, now);
  $('clear-filters').hidden = !filtering;
  renderEmpty(filtering, shown);
  renderSummary();
}

function renderEmpty(filtering, shown) {
  const empty = $('empty');
  empty.replaceChildren();
  let title = '';
  let text = '';
  if (model.providers.size === 0 && model.rows.size === 0) {
    title = 'No providers are configured';
    text = 'Add a provider under providers: in the broker\'s configuration, then connect its accounts here.';
  } else if (filtering && shown === 0) {
    title = 'No account matches these filters';
    text = 'Try another state or provider, or clear the filters to see every account.';
  }
  empty.hidden = !title;
  $('accounts').classList.toggle('is-empty', !!title);
  if (!title) return;
  const h = document.createElement('p');
  h.className = 'empty-title';
  h.textContent = title;
  const p = document.createElement('p');
  p.className = 'muted';
  p.textContent = text;
  empty.append(h, p);
  if (filtering) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'btn';
    b.textContent = 'Clear filters';
    b.addEventListener('click', clearFilters);
    empty.append(b);
  }
}

function renderSummary() {
  if (!api) return;
  const now = api.now();
  const counts = new Map();
  let total = 0;
  for (const row of model.rows.values()) {
    total += 1;
    const state = shownState(row, now);
    counts.set(state, (counts.get(state) || 0) + 1);
  }
  const summary = $('summary');
  const parts = [];
  const title = document.createElement('span');
  title.className = 'summary-total';
  title.textContent = `${total} account${total === 1 ? '' : 's'}`;
  parts.push(title);
  for (const state of Object.keys(STATES)) {
    const n = counts.get(state);
    if (!n) continue;
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `chip chip-${stateInfo(state).tone} chip-button${filters.state === state ? ' chip-selected' : ''}`;
    b.textContent = `${n} ${stateInfo(state).label.toLowerCase()}`;
    b.title = filters.state === state ? 'Show every state' : `Show only ${stateInfo(state).label.toLowerCase()} accounts`;
    b.dataset.state = state;
    parts.push(b);
  }
  const key = parts.map((p) => p.textContent + (p.className || '')).join('|');
  if (summary.dataset.key !== key) {
    summary.dataset.key = key;
    summary.replaceChildren(...parts);
  }
  const updated = $('updated');
  updated.textContent = model.complete ? '' : 'Showing the first pages of a very long list.';
}

function clearFilters() {
  filters.provider = '';
  filters.state = '';
  filters.account = '';
  $('filter-state').value = '';
  $('filter-account').value = '';
  writeFiltersToUrl();
  render();
}

// ---------------------------------------------------------------- actions

function connectable() {
  const providers = Array.from(model.providers.values());
  // a broker without GET /v1/providers: offer every provider seen, the broker refuses what it cannot do
  return providers.filter((p) => p.grant === 'authorization_code' || (!model.providersKnown && p.grant == null))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function onRowAction(action, row) {
  if (action === 'connect') {
    connectDialog.open(connectable(), { provider: row.provider });
  } else if (action === 'reauthorize') {
    connectDialog.open(connectable(), { provider: row.provider, account: row.account });
  } else if (action === 'disconnect') {
    disconnectDialog.open(row);
  } else if (action === 'refresh') {
    await refreshNow(row);
  }
}

async function refreshNow(row) {
  row.busy = true;
  render();
  try {
    const reply = await api.refresh(row.provider, row.account);
    // the reply holds the access token: only its version and expiry are kept
    const current = model.rows.get(keyOf(row.provider, row.account)) || row;
    if (reply && typeof reply.version === 'number' && (current.version == null || reply.version >= current.version)) {
      current.version = reply.version;
      current.expires_at = epochField(reply.expires_at);
      current.state = 'valid';
      current.last_error = null;
      current.retry_at = null;
      current.placeholder = false;
    }
    toast(`${row.account} (${row.provider}) refreshed: now version ${reply && reply.version}.`, 'ok');
    if (row.placeholder) reloadSoon();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && e.error !== 'authorization_required') {
      signOut('The broker no longer accepts this key. Sign in again.');
      return;
    }
    toast(`Refreshing ${row.account} (${row.provider}) failed. ${e instanceof ApiError ? e.human : e.message}`, 'bad');
    reloadSoon();
  } finally {
    row.busy = false;
    const current = model.rows.get(keyOf(row.provider, row.account));
    if (current) current.busy = false;
    render();
    table.flash(row.provider, row.account);
  }
}

function disconnected(row, revoked) {
  const key = keyOf(row.provider, row.account);
  const provider = model.providers.get(row.provider);
  if (provider && (provider.accounts || []).includes(row.account)) {
    model.rows.set(key, { provider: row.provider, account: row.account, grant: row.grant, state: 'not_issued', placeholder: true });
  } else {
    model.rows.delete(key);
  }
  render();
  const how = revoked === true ? ' The provider revoked its tokens.'
    : revoked === false ? ' The provider did not confirm a revocation (none configured, or it failed); the broker forgot the tokens all the same.'
      : '';
  toast(`${row.account} is disconnected from ${row.provider}.${how}`, 'ok');
}

function toast(text, tone) {
  const node = document.createElement('div');
  node.className = `toast toast-${tone || 'ok'}`;
  node.textContent = text;
  $('toasts').append(node);
  setTimeout(() => node.classList.add('toast-out'), tone === 'bad' ? 9000 : 5000);
  setTimeout(() => node.remove(), tone === 'bad' ? 9600 : 5600);
}

// ---------------------------------------------------------------- wiring

function init() {
  table = new AccountsTable($('rows'), (action, row) => onRowAction(action, row), () => (api ? api.now() : Date.now()));
  connectDialog = new ConnectDialog(() => api);
  disconnectDialog = new DisconnectDialog(() => api, disconnected);
  $('sign-in-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const key = $('api-key').value.trim();
    if (!key) {
      const error = $('sign-in-error');
      error.textContent = 'Enter an API key.';
      error.hidden = false;
      return;
    }
    signIn(key, false);
  });
  $('sign-out').addEventListener('click', () => signOut(''));
  $('connect').addEventListener('click', () => connectDialog.open(connectable(), null));
  $('filter-provider').addEventListener('change', (e) => { filters.provider = e.target.value; writeFiltersToUrl(); render(); });
  $('filter-state').addEventListener('change', (e) => { filters.state = e.target.value; writeFiltersToUrl(); render(); });
  $('filter-account').addEventListener('input', (e) => { filters.account = e.target.value.trim(); writeFiltersToUrl(); render(); });
  $('filters').addEventListener('submit', (e) => e.preventDefault());
  $('clear-filters').addEventListener('click', clearFilters);
  $('summary').addEventListener('click', (e) => {
    const chip = e.target.closest('button[data-state]');
    if (!chip) return;
    filters.state = filters.state === chip.dataset.state ? '' : chip.dataset.state;
    $('filter-state').value = filters.state;
    writeFiltersToUrl();
    render();
  });

  const stored = sessionStorage.getItem(KEY_STORAGE);
  if (stored) {
    signIn(stored, true);
  } else {
    showSignIn('');
  }
}

init();
