/*
 * "Other sites" the parent added: the generic adapter runs only there, through a content script
 * registered at run time for exactly those origins (the parent grants each one in the options page).
 */

export const GENERIC_SCRIPT_ID = 'notalone-generic';


/**
 * Turns what a parent typed ("forum.example.com", "https://x.org/path", "http://127.0.0.1:8000/")
 * into a match pattern for that host ("https://forum.example.com/*"), or null. No scheme means
 * https, except for this computer's own addresses.
 */
export function sitePattern(input) {
  let text = String(input || '').trim();
  if (!text) return null;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    const local = /^(localhost|127\.0\.0\.1)(?::|\/|$)/i.test(text);
    text = `${local ? 'http' : 'https'}://${text}`;
  }
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (!['http:', 'https:'].includes(url.protocol) || !url.hostname.includes('.') && url.hostname !== 'localhost') {
    return null;
  }
  return `${url.protocol}//${url.hostname}/*`;
}

/** True when a page URL falls under one of the patterns. */
export function matchesPattern(pattern, pageUrl) {
  try {
    const url = new URL(pageUrl);
    const [scheme, rest] = pattern.split('://');
    const host = rest.slice(0, rest.indexOf('/'));
    return url.protocol === `${scheme}:` && url.hostname === host;
  } catch {
    return false;
  }
}

/** Makes the registered generic content script cover exactly `patterns`. */
export async function syncGenericScript(patterns) {
  const existing = await chrome.scripting.getRegisteredContentScripts({ ids: [GENERIC_SCRIPT_ID] });
  if (existing.length) await chrome.scripting.unregisterContentScripts({ ids: [GENERIC_SCRIPT_ID] });
  if (!patterns.length) return;
  await chrome.scripting.registerContentScripts([
    {
      id: GENERIC_SCRIPT_ID,
      matches: patterns,
      // The same files as the built-in sites' content script (one list, in manifest.json).
      js: chrome.runtime.getManifest().content_scripts[0].js,
      runAt: 'document_idle',
      persistAcrossSessions: true,
    },
  ]);
}
