/* Popup: is Not Alone connected, which rule packs, and the warnings on the current tab. */
import { getSettings } from '../lib/settings.js';

const I18n = globalThis.NotAloneI18n;
const $ = (id) => document.getElementById(id);
let messages = {};
const t = (key, ...subs) => I18n.format(messages, key, ...subs);

function showStatus(status) {
  const state = status?.state || 'down';
  const texts = { ok: 'status_connected', unpaired: 'status_not_paired', down: 'status_not_running' };
  $('status').textContent = t(texts[state] || 'status_not_running');
  $('status').className = `pill ${state === 'ok' ? 'ok' : 'off'}`;
  $('down').hidden = state !== 'down';
  $('unpaired').hidden = state !== 'unpaired';
  $('page').hidden = state === 'down'; // nothing is checked while the server is off
  const packs = (status?.packs || []).map((p) => `${p.name} ${p.version}`);
  $('packs').textContent = packs.length ? t('packs', packs.join(', ')) : '';
}

/** The tab the popup is about: the active one, or `?tab=<id>` when opened as a page. */
async function targetTab() {
  const param = new URLSearchParams(location.search).get('tab');
  if (param) return Number(param);
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

async function showWarnings() {
  const tabId = await targetTab();
  let reply = null;
  try {
    reply = tabId === undefined ? null : await chrome.tabs.sendMessage(tabId, { type: 'list-warnings' });
  } catch {
    reply = null; // no content script on this tab
  }
  const list = $('warnings');
  list.replaceChildren();
  if (!reply?.checked) {
    $('page-empty').textContent = t('page_not_checked');
    return;
  }
  $('page-empty').textContent = reply.warnings.length ? '' : t('no_warnings');
  for (const w of reply.warnings) {
    const button = Object.assign(document.createElement('button'), { type: 'button', textContent: w.text, className: `warning ${w.severity}` });
    button.addEventListener('click', () => chrome.tabs.sendMessage(tabId, { type: 'reveal-warning', id: w.id }));
    const item = document.createElement('li');
    item.append(button);
    list.append(item);
  }
}

async function init() {
  const settings = await getSettings();
  messages = await I18n.load(settings.lang);
  document.documentElement.lang = settings.lang;
  I18n.localize(document, messages);
  $('settings').addEventListener('click', () => chrome.runtime.openOptionsPage());
  const status = await chrome.runtime.sendMessage({ type: 'status', fresh: true });
  showStatus(status);
  await showWarnings();
  document.body.dataset.ready = 'true';
}

init();
