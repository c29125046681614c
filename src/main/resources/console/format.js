// Formatting for people: durations, times and the names of states. Pure functions, no DOM.

export const STATES = {
  valid: { label: 'Valid', tone: 'ok', help: 'The access token is fresh; the broker renews it before it expires.' },
  refreshing: { label: 'Refreshing', tone: 'busy', help: 'A node is talking to the provider right now.' },
  expiring: { label: 'Expiring', tone: 'warn', help: 'The refresh token ends soon and renewing cannot extend it: someone must authorize again before then.' },
  expired: { label: 'Expired', tone: 'idle', help: 'The access token has expired; the broker renews it when a service next asks.' },
  failing: { label: 'Failing', tone: 'bad', help: 'Refreshing failed; the broker is retrying with backoff.' },
  authorization_required: { label: 'Authorization required', tone: 'stop', help: 'The provider refused the refresh token: the account must be authorized again.' },
  not_issued: { label: 'No token yet', tone: 'idle', help: 'Configured, but no service has asked for a token yet.' },
};

export function stateInfo(state) {
  return STATES[state] || { label: state ? String(state).replace(/_/g, ' ') : 'Unknown', tone: 'idle', help: '' };
}

/** "2 h 05 min", "4 min 12 s", "36 s", "29 days": a duration in seconds, at the precision a person needs. */
export function duration(seconds) {
  const s = Math.max(0, Math.floor(Math.abs(seconds)));
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const secs = s % 60;
  if (days >= 2) return `${days} days`;
  if (days === 1) return hours ? `1 day ${hours} h` : '1 day';
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  if (minutes > 0) return `${minutes} min ${String(secs).padStart(2, '0')} s`;
  return `${secs} s`;
}

/** Time until an epoch-second instant, as "in 4 min 12 s" or "3 min ago" style parts. */
export function until(epochSeconds, nowMs) {
  const left = epochSeconds - nowMs / 1000;
  return { left, text: left >= 0 ? duration(left) : `${duration(-left)} ago` };
}

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dateTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dateYear = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });

/** An epoch-second instant, local time: "14:32" today, "Nov 25, 14:32" this year, else "Mar 3, 2027". */
export function when(epochSeconds, nowMs) {
  const d = new Date(epochSeconds * 1000);
  const today = new Date(nowMs);
  if (d.toDateString() === today.toDateString()) return timeOnly.format(d);
  return d.getFullYear() === today.getFullYear() ? dateTime.format(d) : dateYear.format(d);
}

export function fullTime(epochSeconds) {
  return full.format(new Date(epochSeconds * 1000));
}

/** A last error as text, whether the list gives a string or {error, error_description}. */
export function errorText(error) {
  if (error == null || error === '') return '';
  if (typeof error === 'string') return error;
  if (typeof error === 'object') {
    const code = error.error || error.code || '';
    const description = error.error_description || error.description || error.message || '';
    return code && description ? `${code}: ${description}` : code || description || JSON.stringify(error);
  }
  return String(error);
}

/** A number from a field that may be missing, a string or a number. */
export function epoch(value) {
  if (value == null || value === '') return null;
  if (typeof value === 'number') return value;
  const n = Number(value);
  if (Number.isFinite(n)) return n;
  const parsed = Date.parse(value);
  return Number.isFinite(parsed) ? Math.floor(parsed / 1000) : null;
}
