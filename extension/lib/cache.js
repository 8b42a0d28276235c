/* Verdicts cached by SHA-256 of what was asked, so a re-rendered message costs no server call. */

const encoder = new TextEncoder();

/** Hex SHA-256 of a string (SubtleCrypto). */
export async function sha256(text) {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A small least-recently-used map. */
export class LruCache {
  constructor(limit = 5000) {
    this.limit = limit;
    this.map = new Map();
  }

  get(key) {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key, value) {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value);
  }

  clear() {
    this.map.clear();
  }
}
