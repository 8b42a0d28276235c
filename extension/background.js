/*
 * Not Alone service worker: the only part of the extension that talks to the local server.
 * Content scripts, the popup and the options page send it messages; it adds the pairing token,
 * batches and caches verdicts, and keeps the toolbar badge honest about the server's state.
 */
import './lib/i18n.js';
import { ApiError, callServer } from './lib/api.js';
import { LruCache, sha256 } from './lib/cache.js';
import { matchesPattern, syncGenericScript } from './lib/generic-sites.js';
import { getSettings, saveSettings, siteEnabled } from './lib/settings.js';
import { getStatus, setStatus } from './lib/status.js';

const I18n = globalThis.NotAloneI18n;
const API_BATCH = 200; // the server's limit per /v1/analyze and /v1/links call
const HEALTH_EVERY_MS = 20_000;

const verdicts = new LruCache(5000);
const linkVerdicts = new LruCache(2000);
const threadRisk = new LruCache(500); // last risk the server reported, per site and thread
const loaded = new Map();

/** Loads an extension file once per service-worker life. */
function once(key, loader) {
  if (!loaded.has(key)) loaded.set(key, loader().catch((e) => { loaded.delete(key); throw e; }));
  return loaded.get(key);
}
const sitesData = () => once('sites', () => fetch(chrome.runtime.getURL('sites.json')).then((r) => r.json()));
const uiCss = () => once('css', () => fetch(chrome.runtime.getURL('content/ui.css')).then((r) => r.text()));
const messagesFor = (lang) => once(`msg:${lang}`, () => I18n.load(lang));

async function currentMessages() {
  return messagesFor((await getSettings()).lang);
}

async function updateStatus(status) {
  return setStatus(status, await currentMessages());
}

/** Asks the server whether it runs and knows our token; updates the badge. */
async function checkHealth() {
  const settings = await getSettings();
  try {
    const health = await callServer(settings.port, '/v1/health', { token: settings.token, timeoutMs: 3000 });
    const state = settings.token && health.paired ? 'ok' : 'unpaired';
    return updateStatus({ state, version: health.version, packs: health.packs || [] });
  } catch (error) {
    const state = error instanceof ApiError && error.code !== 'unreachable' ? 'unpaired' : 'down';
    return updateStatus({ state, version: null, packs: [] });
  }
}

/** Records what a failed call says about the server (down, or our token no longer valid). */
async function noteFailure(error) {
  if (error.code === 'unreachable') await updateStatus({ state: 'down', version: null, packs: [] });
  else if (error.code === 'unauthorized') await updateStatus({ state: 'unpaired', version: null, packs: [] });
}

async function noteSuccess() {
  const status = await getStatus();
  if (!status || status.state !== 'ok') await checkHealth();
}

/** Calls the server with the token; failures become `{error: code}` for the caller. */
async function authed(path, body) {
  const settings = await getSettings();
  if (!settings.token) {
    await updateStatus({ state: 'unpaired', version: null, packs: [] });
    throw new ApiError('not_paired');
  }
  try {
    const data = await callServer(settings.port, path, { method: 'POST', body, token: settings.token });
    noteSuccess();
    return data;
  } catch (error) {
    await noteFailure(error);
    throw error;
  }
}

function chunks(items, size) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Verdicts for a batch of messages: cached by SHA-256 of everything the verdict depends on. */
async function analyze({ messages, page }) {
  const { lang } = await getSettings();
  const keys = await Promise.all(
    messages.map((m) =>
      sha256(JSON.stringify([lang, m.direction || 'in', m.thread || '', m.sender || '', m.links || [], m.text])),
    ),
  );
  const results = new Array(messages.length);
  const misses = [];
  messages.forEach((m, i) => {
    const hit = verdicts.get(keys[i]);
    if (hit) results[i] = { ...hit, id: m.id, hash: keys[i] };
    else misses.push(i);
  });
  for (const part of chunks(misses, API_BATCH)) {
    const data = await authed('/v1/analyze', { messages: part.map((i) => messages[i]), page, lang });
    data.results.forEach((result, j) => {
      const i = part[j];
      verdicts.set(keys[i], result);
      results[i] = { ...result, hash: keys[i] };
    });
    for (const [id, risk] of Object.entries(data.threads || {})) threadRisk.set(`${page}\n${id}`, risk);
  }
  // Cache hits carry their conversation's risk too, so a re-rendered chat gets its banner back.
  const threads = {};
  for (const m of messages) {
    const risk = m.thread && threadRisk.get(`${page}\n${m.thread}`);
    if (risk) threads[m.thread] = risk;
  }
  return { results, threads };
}

/** Link verdicts, cached per URL. */
async function checkLinks({ urls }) {
  const keys = await Promise.all(urls.map((u) => sha256(`link:${u}`)));
  const results = new Array(urls.length);
  const misses = [];
  urls.forEach((u, i) => {
    const hit = linkVerdicts.get(keys[i]);
    if (hit) results[i] = hit;
    else misses.push(i);
  });
  for (const part of chunks(misses, API_BATCH)) {
    const data = await authed('/v1/links', { urls: part.map((i) => urls[i]) });
    data.results.forEach((result, j) => {
      linkVerdicts.set(keys[part[j]], result);
      results[part[j]] = result;
    });
  }
  return { results };
}

/** "Not a problem": the server stops those rules for that sender; our cached verdicts are stale. */
async function feedback({ feedback: body }) {
  const data = await authed('/v1/feedback', body);
  verdicts.clear();
  threadRisk.clear();
  return data;
}

/** What a content script needs to start on this page, or `{enabled: false}`. */
async function hello({ url }) {
  const [settings, sites] = await Promise.all([getSettings(), sitesData()]);
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    return { enabled: false };
  }
  let adapter = sites.sites.find((s) => s.hosts.includes(host));
  if (adapter && !siteEnabled(settings, adapter.id)) return { enabled: false };
  if (!adapter && settings.otherSites.some((p) => matchesPattern(p, url))) {
    adapter = { ...sites.generic, name: host };
  }
  if (!adapter) return { enabled: false };
  const [messages, css] = await Promise.all([messagesFor(settings.lang), uiCss()]);
  const status = (await getStatus()) || (await checkHealth());
  return { enabled: true, adapter, lang: settings.lang, messages, css, state: status.state };
}

/** Trades the pairing code for a token and remembers it. */
async function pair({ code, port }) {
  const data = await callServer(port, '/v1/pair', { method: 'POST', body: { code } });
  await saveSettings({ token: data.token, port });
  verdicts.clear();
  return checkHealth();
}

async function unpair() {
  await chrome.storage.local.remove('token');
  verdicts.clear();
  return checkHealth();
}

async function status({ fresh }) {
  const known = await getStatus();
  if (!fresh && known && Date.now() - known.checkedAt < HEALTH_EVERY_MS) return known;
  return checkHealth();
}

async function syncSites() {
  const settings = await getSettings();
  await syncGenericScript(settings.otherSites);
  return { ok: true };
}

/** Tells open tabs' content scripts (tab ids need no "tabs" permission); tabs without one ignore it. */
async function tellTabs(message) {
  for (const tab of await chrome.tabs.query({})) {
    chrome.tabs.sendMessage(tab.id, message).catch(() => {});
  }
}

const HANDLERS = {
  hello,
  analyze,
  links: checkLinks,
  feedback,
  status,
  pair,
  unpair,
  'sync-sites': syncSites,
};

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  const handler = HANDLERS[message?.type];
  if (!handler) return false;
  handler(message, sender)
    .then((result) => sendResponse(result))
    .catch((error) => sendResponse({ error: error?.code || 'internal', message: String(error?.message || error) }));
  return true;
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== 'local') return;
  if (changes.lang) {
    verdicts.clear(); // advice texts are localised
    getStatus().then((s) => s && updateStatus(s));
    tellTabs({ type: 'config-changed' });
  }
  if (changes.port || changes.token) checkHealth();
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === 'health') checkHealth();
});

chrome.runtime.onInstalled.addListener(() => {
  chrome.alarms.create('health', { periodInMinutes: 1 });
  syncSites().catch(() => {});
});

chrome.runtime.onStartup.addListener(() => {
  chrome.alarms.create('health', { periodInMinutes: 1 });
});

checkHealth();
