// The broker's event stream (GET /v1/events, Server-Sent Events) read with fetch(), so that the
// API key travels in the Authorization header: EventSource cannot set headers, and a key in the
// URL would end up in logs and history. Reconnects by itself with backoff; a stream that stays
// silent longer than three heartbeats is presumed dead and reopened.

const SILENCE_MS = 50_000;
const MAX_BACKOFF_MS = 30_000;

export class EventFeed {
  /**
   * @param key the admin API key
   * @param handlers { onEvent(name, data), onStatus(status, detail), onRejected(status) }
   */
  constructor(key, handlers) {
    this.key = key;
    this.handlers = handlers;
    this.stopped = false;
    this.controller = null;
    this.backoffMs = 1000;
    this.retryTimer = null;
    this.watchdog = null;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.watchdog);
    if (this.controller) this.controller.abort();
  }

  async open() {
    if (this.stopped) return;
    this.handlers.onStatus('connecting');
    const controller = new AbortController();
    this.controller = controller;
    try {
      const response = await fetch('/v1/events', {
        headers: { Authorization: `Bearer ${this.key}`, Accept: 'text/event-stream' },
        cache: 'no-store',
        credentials: 'omit',
        signal: controller.signal,
      });
      if (response.status === 401 || response.status === 403) {
        this.stopped = true;
        this.handlers.onRejected(response.status);
        return;
      }
      if (!response.ok || !response.body) {
        throw new Error(`the event stream answered ${response.status}`);
      }
      this.backoffMs = 1000;
      this.handlers.onStatus('live');
      await this.read(response.body, controller);
      throw new Error('the broker closed the event stream');
    } catch (e) {
      clearTimeout(this.watchdog);
      if (this.stopped) return;
      const wait = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
      this.handlers.onStatus('offline', Math.round(wait / 1000));
      this.retryTimer = setTimeout(() => this.open(), wait);
    }
  }

  async read(body, controller) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    this.arm(controller);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      this.arm(controller);
      buffer += value;
      let separator;
      while ((separator = /\r?\n\r?\n/.exec(buffer)) !== null) {
        const frame = buffer.slice(0, separator.index);
        buffer = buffer.slice(separator.index + separator[0].length);
        this.dispatch(frame);
      }
    }
  }

  /** (Re)starts the silence watchdog: heartbeats arrive every 15 s at most. */
  arm(controller) {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => controller.abort(), SILENCE_MS);
  }

  dispatch(frame) {
    let name = 'message';
    const data = [];
    for (const line of frame.split(/\r?\n/)) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    let parsed;
    try {
      parsed = JSON.parse(data.join('\n'));
    } catch {
      return;
    }
    this.handlers.onEvent(name, parsed);
  }
}
