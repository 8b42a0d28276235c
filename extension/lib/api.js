/*
 * The only code that talks to the Not Alone server (loopback). Runs in the service worker and the
 * extension pages; content scripts go through the service worker.
 */

export class ApiError extends Error {
  constructor(code, message, status = 0) {
    super(message || code);
    this.code = code;
    this.status = status;
  }
}

/** Calls `path` on the local server; throws ApiError('unreachable') when nothing answers. */
export async function callServer(port, path, { method = 'GET', body, token, timeoutMs = 8000 } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiError('unreachable', String(error?.message || error));
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const err = data?.error || {};
    throw new ApiError(err.code || `http_${response.status}`, err.message, response.status);
  }
  return data;
}
