/*
 * Whether the local server answers and knows our token, remembered in chrome.storage.session so a
 * restarted service worker keeps it, and shown on the toolbar badge.
 */
import './i18n.js';

const BADGE = {
  ok: { key: 'title_ok', text: null, color: '#4f8a6e' },
  unpaired: { key: 'title_unpaired', text: 'badge_unpaired', color: '#6a7bd1' },
  down: { key: 'title_off', text: 'badge_off', color: '#c9772e' },
};

/** Last known status: {state: 'ok'|'unpaired'|'down', version, packs, checkedAt}. */
export async function getStatus() {
  const { status } = await chrome.storage.session.get('status');
  return status || null;
}

/** Stores a new status and repaints the badge in the chosen language. */
export async function setStatus(status, messages) {
  const value = { ...status, checkedAt: Date.now() };
  await chrome.storage.session.set({ status: value });
  const look = BADGE[value.state] || BADGE.down;
  const t = (key) => globalThis.NotAloneI18n.format(messages, key);
  await chrome.action.setBadgeText({ text: look.text ? t(look.text) : '' });
  await chrome.action.setBadgeBackgroundColor({ color: look.color });
  if (chrome.action.setBadgeTextColor) await chrome.action.setBadgeTextColor({ color: '#ffffff' });
  await chrome.action.setTitle({ title: `Not Alone: ${t(look.key)}` });
  return value;
}
