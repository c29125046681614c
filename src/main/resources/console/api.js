// The broker's HTTP API as the console uses it. Every call carries the admin key in the
// Authorization header; the key is never put in a URL.

export class ApiError extends Error {
  constructor(status, error, description) {
    super(description || error || `HTTP ${status}`);
    this.status = status;
    this.error = error || '';
    this.description = description || '';
  }

  /** A sentence for a person. */
  get human() {
    if (this.status === 0) return 'The broker could not be reached. Check that it is running and that this page was opened from it.';
    if (this.status === 401) return 'This API key was not accepted. Check it for typos, or ask for a current admin key.';
    if (this.status === 403) return `This API key is valid but may not do this: ${this.description || 'it lacks the admin action'}.`;
    const detail = this.description ? ` ${this.description}` : '';
    if (this.status === 429) return `The provider is rate-limiting the broker.${detail}`;
    if (this.status >= 500) return `The broker answered ${this.status} (${this.error || 'error'}).${detail}`;
    return `${this.error || `HTTP ${this.status}`}:${detail}`;
  }
}

const MAX_PAGES = 200;

export class Api {
  constructor(key) {
    this.key = key;
    /** Broker clock minus this browser's clock, in ms, from the Date header of the last answer. */
    this.skewMs = 0;
  }

  /** Now on the broker's clock (ms), so that time left is counted as the broker counts it. */
  now() {
    return Date.now() + this.skewMs;
  }

  async call(method, path, { signal } = {}) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: { Authorization: `Bearer ${this.key}`, Accept: 'application/json' },
        cache: 'no-store',
        credentials: 'omit',
        signal,
      });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, 'unreachable', '');
    }
    this.learnSkew(response);
    this.lastHeaders = response.headers;
    const text = await response.text();
    let body = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
    }
    if (!response.ok) {
      throw new ApiError(response.status, body && body.error, body && body.error_description);
    }
    return body;
  }

  learnSkew(response) {
    const date = Date.parse(response.headers.get('Date') || '');
    if (Number.isFinite(date)) {
      const skew = date - Date.now();
      // the header has whole seconds: only a clear difference is worth correcting
      this.skewMs = Math.abs(skew) > 2000 ? skew : 0;
    }
  }

  /**
   * Every stored token, following the list's cursor while the broker pages it: the broker answers a
   * page as an array and names the next one in the Token-Broker-Next-Cursor header. Also accepts an
   * object holding the page ({tokens|items|data}) and the next cursor ({next_cursor|cursor|next}).
   */
  async tokens(pageSize = 1000) {
    const all = [];
    let cursor = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = await this.call('GET', cursor ? `/v1/tokens?limit=${pageSize}&cursor=${encodeURIComponent(cursor)}` : `/v1/tokens?limit=${pageSize}`);
      const items = Array.isArray(body) ? body : (body && (body.tokens || body.items || body.data || body.accounts)) || [];
      all.push(...items);
      const fromHeader = this.lastHeaders ? this.lastHeaders.get('Token-Broker-Next-Cursor') : null;
      const next = fromHeader || (Array.isArray(body) || !body ? null : body.next_cursor || body.cursor || body.next || null);
      if (!next || next === cursor || items.length === 0) return { tokens: all, complete: true };
      cursor = next;
    }
    return { tokens: all, complete: false };
  }

  /** The configured providers, or null from a broker without GET /v1/providers. */
  async providers() {
    try {
      return await this.call('GET', '/v1/providers');
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return null;
      throw e;
    }
  }

  authorize(provider, account) {
    return this.call('POST', `/v1/oauth/${encodeURIComponent(provider)}/authorize?account=${encodeURIComponent(account)}`);
  }

  refresh(provider, account) {
    return this.call('POST', `/v1/tokens/${encodeURIComponent(provider)}/refresh?account=${encodeURIComponent(account)}`);
  }

  disconnect(provider, account) {
    return this.call('DELETE', `/v1/tokens/${encodeURIComponent(provider)}?account=${encodeURIComponent(account)}`);
  }
}
