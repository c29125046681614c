// The two dialogs: connecting an account (a new one or again) and disconnecting one.
import { ApiError } from './api.js';

const ACCOUNT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const $ = (id) => document.getElementById(id);

function show(node, text) {
  node.textContent = text;
  node.hidden = !text;
}

/** Only http(s) URLs become links: never javascript: or data:, whatever a provider's config says. */
function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

export class ConnectDialog {
  /** @param session gives the signed-in Api */
  constructor(session) {
    this.session = session;
    this.dialog = $('connect-dialog');
    this.pending = null;
    $('connect-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    $('connect-cancel').addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('close', () => { this.pending = null; });
    $('connect-copy').addEventListener('click', () => this.copy());
    $('connect-open').addEventListener('click', () => {
      $('connect-waiting').hidden = false;
    });
  }

  /**
   * @param providers the providers a person can connect (grant authorization_code)
   * @param preset { provider, account } when authorizing an account again
   */
  open(providers, preset) {
    const select = $('connect-provider');
    select.replaceChildren(...providers.map((p) => {
      const option = document.createElement('option');
      option.value = p.name;
      option.textContent = p.name;
      return option;
    }));
    const again = !!(preset && preset.account);
    $('connect-title').textContent = again ? `Authorize ${preset.account} again` : 'Connect an account';
    $('connect-intro').textContent = again
      ? 'The account\'s owner signs in at the provider again; the broker replaces the stored tokens when they come back.'
      : 'The account\'s owner signs in at the provider and allows access; the broker then keeps its token fresh.';
    if (preset && preset.provider) select.value = preset.provider;
    $('connect-account').value = again ? preset.account : '';
    select.disabled = again;
    $('connect-account').readOnly = again;
    show($('connect-error'), '');
    // nothing to connect: say why instead of offering an empty form
    $('connect-fields').hidden = providers.length === 0;
    $('connect-none').hidden = providers.length > 0;
    $('connect-link').hidden = true;
    $('connect-done').hidden = true;
    $('connect-submit').hidden = providers.length === 0;
    $('connect-submit').disabled = providers.length === 0;
    $('connect-submit').textContent = 'Create authorization link';
    this.pending = null;
    this.dialog.showModal();
    (!providers.length ? $('connect-cancel') : again ? $('connect-submit') : $('connect-account')).focus();
  }

  async submit() {
    const provider = $('connect-provider').value;
    const account = $('connect-account').value.trim();
    if (!provider) return;
    if (!ACCOUNT.test(account)) {
      show($('connect-error'), account
        ? 'An account name starts with a letter or digit and has only letters, digits, dot, dash and underscore (64 at most).'
        : 'Enter a name for the account.');
      $('connect-account').focus();
      return;
    }
    show($('connect-error'), '');
    const submit = $('connect-submit');
    submit.disabled = true;
    submit.textContent = 'Creating link…';
    try {
      const answer = await this.session().authorize(provider, account);
      const url = safeUrl(answer && answer.authorize_url);
      if (!url) throw new ApiError(502, 'invalid_reply', 'the broker gave no usable authorize_url');
      $('connect-open').href = url;
      $('connect-url').value = url;
      const minutes = Math.round(((answer && answer.expires_in) || 600) / 60);
      $('connect-expiry').textContent = `${minutes} minute${minutes === 1 ? '' : 's'}`;
      $('connect-link').hidden = false;
      $('connect-waiting').hidden = true;
      submit.hidden = true;
      this.pending = { provider, account };
      $('connect-open').focus();
    } catch (e) {
      show($('connect-error'), e instanceof ApiError ? e.human : String(e));
    } finally {
      submit.disabled = false;
      submit.textContent = 'Create authorization link';
    }
  }

  async copy() {
    const input = $('connect-url');
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      $('connect-copy').textContent = 'Copied';
    } catch {
      $('connect-copy').textContent = 'Press Ctrl+C to copy';
    }
    setTimeout(() => { $('connect-copy').textContent = 'Copy link'; }, 2500);
  }

  /** The broker announced a new authorization: if it is the one this dialog waits for, say so. */
  authorized(provider, account, version) {
    if (!this.pending || this.pending.provider !== provider || this.pending.account !== account) return false;
    $('connect-link').hidden = true;
    show($('connect-done'), `${account} is connected to ${provider} (token version ${version}). You can close this window.`);
    this.pending = null;
    $('connect-cancel').focus();
    return true;
  }
}

export class DisconnectDialog {
  constructor(session, onDone) {
    this.session = session;
    this.onDone = onDone;
    this.dialog = $('disconnect-dialog');
    this.row = null;
    $('disconnect-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.confirm();
    });
    $('disconnect-cancel').addEventListener('click', () => this.dialog.close());
  }

  open(row) {
    this.row = row;
    $('disconnect-title').textContent = `Disconnect ${row.account}?`;
    $('disconnect-text').textContent = `${row.account} will be disconnected from ${row.provider}.`;
    $('disconnect-effect').textContent = row.grant === 'client_credentials'
      ? 'The broker forgets the stored token. The next service that asks for this account gets a new one with the configured client credentials.'
      : 'The broker forgets its access and refresh tokens (and revokes them at the provider where that is configured). Services asking for this account get authorization_required until someone connects it again.';
    show($('disconnect-error'), '');
    $('disconnect-confirm').disabled = false;
    $('disconnect-confirm').textContent = 'Disconnect';
    this.dialog.showModal();
    $('disconnect-cancel').focus();
  }

  async confirm() {
    const row = this.row;
    const button = $('disconnect-confirm');
    button.disabled = true;
    button.textContent = 'Disconnecting…';
    try {
      const answer = await this.session().disconnect(row.provider, row.account);
      this.dialog.close();
      this.onDone(row, answer && typeof answer.revoked === 'boolean' ? answer.revoked : null);
    } catch (e) {
      show($('disconnect-error'), e instanceof ApiError ? e.human : String(e));
      button.disabled = false;
      button.textContent = 'Disconnect';
    }
  }
}
