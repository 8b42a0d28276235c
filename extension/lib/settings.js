/*
 * What the parent chose, kept in chrome.storage.local. The pairing token lives here too: extension
 * pages and the service worker read it; content scripts never ask for it and pages cannot see it.
 */
import './i18n.js';

export const DEFAULT_PORT = 8731;

/** Reads all settings with defaults filled in. */
export async function getSettings() {
  const stored = await chrome.storage.local.get(['port', 'token', 'lang', 'sites', 'otherSites']);
  return {
    port: Number(stored.port) || DEFAULT_PORT,
    token: stored.token || null,
    lang: stored.lang || globalThis.NotAloneI18n.defaultLang(),
    sites: stored.sites || {},
    otherSites: Array.isArray(stored.otherSites) ? stored.otherSites : [],
  };
}

/** Saves some settings. */
export function saveSettings(patch) {
  return chrome.storage.local.set(patch);
}

/** A built-in site is on unless the parent turned it off. */
export function siteEnabled(settings, siteId) {
  return settings.sites[siteId] !== false;
}
