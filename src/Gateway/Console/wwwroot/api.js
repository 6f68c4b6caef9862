// The HTTP/JSON API with the session cookie (same origin; the browser sends it). Writes carry
// X-Requested-With, without which the gateway refuses a cookie-authenticated write (cross-site
// protection, src/Gateway/Security/ConsoleSession.cs).

/** A refusal of the API: its HTTP status and the google.rpc.Status message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
  get forbidden() { return this.status === 403; }
}

async function answer(response) {
  if (response.status === 401) {
    // The session ended (signed out, disabled, expired): back to the sign-in page, which brings
    // the person back to this address (the fragment) after signing in.
    location.assign('/console/sign-in' + location.hash);
    throw new ApiError(401, 'not signed in');
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body.message || response.statusText);
  return body;
}

const early = new Map();

/** Starts a GET now that a page will ask for soon (the first page's figures, while the console
 * is still asking who is signed in); that page's get() then takes this answer once. */
export function getEarly(path) {
  early.set(path, fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' }));
}

export async function get(path, query) {
  const url = query ? `${path}?${query}` : path;
  const started = early.get(url);
  early.delete(url);
  return answer(await (started ?? fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })));
}

export async function post(path, body) {
  return answer(await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Requested-With': 'hazardgrid-console' },
    body: JSON.stringify(body),
  }));
}

/** A request id for a write: random, so a retry of the same click is not needed (crypto.randomUUID
 * exists only in secure contexts; a government LAN may serve plain HTTP). */
export function requestId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return 'console-' + Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Follows /v1/regions/{code}/status:watch, one JSON status per line, calling onStatus for each and
 * onState('live' | 'reconnecting'); reconnects after a drop (1 s, doubling to 10 s) until signal
 * aborts. A refusal (403) stops it: the page shows the refusal instead.
 */
export async function watchRegion(code, signal, onStatus, onState) {
  let delay = 1000;
  while (!signal.aborted) {
    try {
      const response = await fetch(`/v1/regions/${code}/status:watch`, { signal, credentials: 'same-origin' });
      if (response.status === 401 || response.status === 403) {
        await answer(response);
      }
      if (!response.ok || !response.body) throw new Error(`watch answered ${response.status}`);
      onState('live');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let newline;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line) {
            onStatus(JSON.parse(line));
            delay = 1000;
          }
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError) throw error;
    }
    if (signal.aborted) return;
    onState('reconnecting');
    await new Promise(resolve => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 10000);
  }
}
