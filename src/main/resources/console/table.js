// The accounts table: one group per provider, one row per account, updated in place so that a
// live change does not move focus or the reader's eye. Everything shown is set as text, never
// as HTML.
import { stateInfo, until, when, fullTime, errorText, duration } from './format.js';

const COLUMNS = 7;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

function button(label, className, action, ariaLabel) {
  const b = el('button', `btn btn-small ${className || ''}`.trim(), label);
  b.type = 'button';
  b.dataset.action = action;
  if (ariaLabel) b.setAttribute('aria-label', ariaLabel);
  return b;
}

/** The state a row shows now: as the broker gave it, except a valid token whose time has run out since. */
export function shownState(row, nowMs) {
  if (row.busy) return 'refreshing';
  if (row.state === 'valid' && row.expires_at != null && row.expires_at * 1000 <= nowMs) return 'expired';
  return row.state || 'valid';
}

export class AccountsTable {
  /**
   * @param tbody the table body to fill
   * @param onAction (action, row) for the row buttons: refresh, reauthorize, disconnect, connect
   */
  constructor(tbody, onAction, now) {
    this.tbody = tbody;
    this.now = now;
    this.rows = new Map(); // key -> tr
    this.groups = new Map(); // provider -> tr
    this.emptyGroups = new Map(); // provider -> tr
    tbody.addEventListener('click', (e) => {
      const error = e.target.closest('.error-text.has-error');
      if (error) {
        error.classList.toggle('expanded'); // a long error opens in full, and closes again
        const tr = error.closest('tr');
        this.fill(tr, tr.row, this.now());
        return;
      }
      const target = e.target.closest('button[data-action]');
      if (!target) return;
      const tr = target.closest('tr');
      onAction(target.dataset.action, tr.row || { provider: tr.dataset.provider });
    });
  }

  /**
   * @param groups [{ provider: {name, grant}, rows: [row...], total }] in display order
   */
  render(groups, nowMs) {
    const wanted = [];
    const seenRows = new Set();
    const seenGroups = new Set();
    for (const group of groups) {
      const name = group.provider.name;
      seenGroups.add(name);
      wanted.push(this.groupRow(group));
      if (group.rows.length === 0) {
        wanted.push(this.emptyGroupRow(group));
      }
      for (const row of group.rows) {
        const key = `${row.provider}\u0000${row.account}`;
        seenRows.add(key);
        let tr = this.rows.get(key);
        if (!tr) {
          tr = this.createRow(row);
          this.rows.set(key, tr);
        }
        tr.row = row;
        this.fill(tr, row, nowMs);
        wanted.push(tr);
      }
    }
    for (const [key, tr] of this.rows) if (!seenRows.has(key)) { tr.remove(); this.rows.delete(key); }
    for (const [key, tr] of this.groups) if (!seenGroups.has(key)) { tr.remove(); this.groups.delete(key); }
    for (const [key, tr] of this.emptyGroups) {
      if (!wanted.includes(tr)) { tr.remove(); this.emptyGroups.delete(key); }
    }
    // reorder only when the order changed: moving a node would take the focus from its buttons
    const current = Array.from(this.tbody.children);
    if (current.length !== wanted.length || current.some((node, i) => node !== wanted[i])) {
      this.tbody.replaceChildren(...wanted);
    }
  }

  /** Updates the cells that change with time alone (time left, expiry of a valid token). */
  tick(nowMs) {
    for (const tr of this.rows.values()) this.fill(tr, tr.row, nowMs);
  }

  /** Briefly highlights a row that just changed. */
  flash(provider, account) {
    const tr = this.rows.get(`${provider}\u0000${account}`);
    if (!tr) return;
    tr.classList.remove('flash');
    void tr.offsetWidth; // restart the animation
    tr.classList.add('flash');
  }

  groupRow(group) {
    const name = group.provider.name;
    let tr = this.groups.get(name);
    if (!tr) {
      tr = el('tr', 'group');
      tr.dataset.provider = name;
      const th = el('th');
      th.colSpan = COLUMNS;
      th.scope = 'colgroup';
      const title = el('span', 'group-name', name);
      const grant = el('span', 'group-grant');
      const count = el('span', 'group-count');
      const connect = button('+ Connect account', 'btn-link group-connect', 'connect', `Connect an account to ${name}`);
      th.append(title, grant, count, connect);
      tr.append(th);
      this.groups.set(name, tr);
    }
    const [, grant, count, connect] = tr.firstChild.children;
    connect.hidden = group.provider.grant !== 'authorization_code';
    grant.textContent = group.provider.grant === 'authorization_code' ? 'authorization code'
      : group.provider.grant === 'client_credentials' ? 'client credentials' : '';
    grant.hidden = !grant.textContent;
    const shown = group.rows.length;
    count.textContent = shown === group.total ? `${group.total} account${group.total === 1 ? '' : 's'}`
      : `${shown} of ${group.total} accounts shown`;
    return tr;
  }

  emptyGroupRow(group) {
    const name = group.provider.name;
    let tr = this.emptyGroups.get(name);
    if (!tr) {
      tr = el('tr', 'group-empty');
      tr.dataset.provider = name;
      const td = el('td');
      td.colSpan = COLUMNS;
      tr.append(td);
      this.emptyGroups.set(name, tr);
    }
    const td = tr.firstChild;
    td.replaceChildren();
    if (group.total > 0) {
      td.append(el('span', 'muted', 'No account of this provider matches the filters.'));
    } else if (group.provider.grant === 'authorization_code') {
      td.append(el('span', 'muted', 'No account connected yet. '),
        button('Connect an account', 'btn-link', 'connect', `Connect an account to ${name}`));
    } else {
      td.append(el('span', 'muted', 'No token stored yet: the broker fetches one when a service first asks.'));
    }
    return tr;
  }

  createRow(row) {
    const tr = el('tr', 'account');
    tr.dataset.provider = row.provider;
    tr.dataset.account = row.account;
    const account = el('td', 'col-account');
    account.append(el('span', 'account-name', row.account));
    const state = el('td', 'col-state');
    state.append(el('span', 'chip'), el('div', 'sub'));
    const version = el('td', 'col-version num');
    const left = el('td', 'col-left');
    left.append(el('div', 'main num'), el('div', 'sub num'));
    const refresh = el('td', 'col-refresh');
    refresh.append(el('div', 'main num'), el('div', 'sub num'));
    const error = el('td', 'col-error');
    error.append(el('div', 'error-text'));
    const actions = el('td', 'col-actions');
    const label = `${row.account} (${row.provider})`;
    actions.append(
      button('Refresh', '', 'refresh', `Refresh the token of ${label} now`),
      button('Re-authorize', '', 'reauthorize', `Authorize ${label} again`),
      button('Disconnect', 'btn-danger-quiet', 'disconnect', `Disconnect ${label}`));
    tr.append(account, state, version, left, refresh, error, actions);
    return tr;
  }

  fill(tr, row, nowMs) {
    const [, stateCell, versionCell, leftCell, refreshCell, errorCell, actionsCell] = tr.children;
    const state = shownState(row, nowMs);
    const info = stateInfo(state);
    tr.dataset.state = state;

    const chip = stateCell.firstChild;
    chip.className = `chip chip-${info.tone}`;
    chip.textContent = info.label;
    chip.title = info.help;
    const retry = row.retry_at != null && (state === 'failing') ? until(row.retry_at, nowMs) : null;
    setText(stateCell.lastChild, retry ? (retry.left > 0 ? `next try in ${duration(retry.left)}` : 'retrying…') : '');

    setText(versionCell, row.version != null ? `v${row.version}` : '—');

    const [leftMain, leftSub] = leftCell.children;
    if (row.expires_at != null) {
      const t = until(row.expires_at, nowMs);
      setText(leftMain, t.left >= 0 ? `${t.text} left` : `expired ${t.text}`);
      leftMain.classList.toggle('soon', t.left >= 0 && t.left < 300);
      leftMain.classList.toggle('past', t.left < 0);
      setText(leftSub, `${t.left >= 0 ? 'until' : 'at'} ${when(row.expires_at, nowMs)}`);
      leftCell.title = `Access token expires ${fullTime(row.expires_at)}`;
    } else {
      setText(leftMain, '—');
      setText(leftSub, row.placeholder ? 'not fetched yet' : '');
      leftMain.classList.remove('soon', 'past');
      leftCell.title = '';
    }

    const [refreshMain, refreshSub] = refreshCell.children;
    if (row.refresh_expires_at != null) {
      const t = until(row.refresh_expires_at, nowMs);
      setText(refreshMain, t.left >= 0 ? `ends in ${t.text}` : `ended ${t.text}`);
      refreshMain.classList.remove('muted');
      refreshMain.classList.toggle('soon', t.left >= 0 && t.left < 7 * 86400);
      refreshMain.classList.toggle('past', t.left < 0);
      setText(refreshSub, when(row.refresh_expires_at, nowMs));
      refreshCell.title = `Refresh token ends ${fullTime(row.refresh_expires_at)}`;
    } else {
      const none = row.placeholder || row.grant === 'client_credentials';
      setText(refreshMain, none ? '—' : 'No known end');
      refreshMain.classList.remove('soon', 'past');
      refreshMain.classList.add('muted');
      setText(refreshSub, '');
      refreshCell.title = none ? 'Client credentials: no refresh token, the broker asks for a new token itself'
        : 'The provider did not say when the refresh token ends';
    }

    const message = errorText(row.last_error).replace(/^authorization_required: /, state === 'authorization_required' ? '' : '$&');
    const errorNode = errorCell.firstChild;
    setText(errorNode, !message ? '—' : errorNode.classList.contains('expanded') ? message : tail(message));
    errorNode.classList.toggle('muted', !message);
    errorNode.classList.toggle('has-error', !!message);
    errorCell.title = message;

    const [refreshButton, reauthorizeButton, disconnectButton] = actionsCell.children;
    refreshButton.disabled = !!row.busy;
    setText(refreshButton, row.placeholder ? 'Fetch token' : 'Refresh');
    refreshButton.title = row.placeholder ? 'Fetch a token from the provider now' : 'Renew the access token now';
    // a button that does not apply keeps its place, so that the buttons of all rows line up
    void_(reauthorizeButton, row.grant !== 'authorization_code');
    reauthorizeButton.classList.toggle('btn-attention', state === 'authorization_required' || state === 'expiring');
    void_(disconnectButton, !!row.placeholder);
  }
}

function void_(button, yes) {
  button.classList.toggle('is-void', yes);
  button.disabled = yes;
  if (yes) button.setAttribute('aria-hidden', 'true');
  else button.removeAttribute('aria-hidden');
}

/**
 * A long error read from its end: broker errors wrap their cause ("...: rightsignature answered
 * invalid_grant (HTTP 400): the user revoked the app"), so the provider's own words come last.
 */
const ERROR_CHARS = 80;
function tail(message) {
  if (message.length <= ERROR_CHARS) return message;
  const cut = message.slice(-ERROR_CHARS);
  const space = cut.indexOf(' ');
  return `…${space > 0 && space < 20 ? cut.slice(space + 1) : cut}`;
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
