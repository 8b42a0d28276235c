/* Options page: pairing, language, protected sites. Server calls go through the service worker. */
import { sitePattern } from '../lib/generic-sites.js';
import { DEFAULT_PORT, getSettings, saveSettings, siteEnabled } from '../lib/settings.js';

const I18n = globalThis.NotAloneI18n;
const $ = (id) => document.getElementById(id);
let messages = {};
const t = (key, ...subs) => I18n.format(messages, key, ...subs);

async function applyLanguage(lang) {
  messages = await I18n.load(lang);
  document.documentElement.lang = lang;
  I18n.localize(document, messages);
}

function showStatus(state) {
  const ok = state === 'ok';
  $('status').textContent = ok ? t('connected') : t('not_connected');
  $('status').className = `pill ${ok ? 'ok' : 'off'}`;
  $('disconnect').hidden = !ok;
}

function errorText(code) {
  const known = { bad_code: 'err_bad_code', code_expired: 'err_code_expired', locked: 'err_locked', unreachable: 'err_unreachable' };
  return t(known[code] || 'err_unknown');
}

async function refreshStatus(fresh = true) {
  const status = await chrome.runtime.sendMessage({ type: 'status', fresh });
  showStatus(status?.state);
}

async function onPair(event) {
  event.preventDefault();
  const code = $('code').value.trim();
  $('pair-error').textContent = '';
  if (!/^\d{6}$/.test(code)) {
    $('pair-error').textContent = t('err_code_format');
    return;
  }
  const port = Number($('port').value) || DEFAULT_PORT;
  $('connect').disabled = true;
  try {
    const reply = await chrome.runtime.sendMessage({ type: 'pair', code, port });
    if (reply?.error) $('pair-error').textContent = errorText(reply.error);
    else {
      $('code').value = '';
      showStatus(reply.state);
    }
  } finally {
    $('connect').disabled = false;
  }
}

function flashSaved() {
  $('saved').textContent = `${t('saved')}. ${t('reload_note')}`;
}

async function renderSites() {
  const [settings, sites] = await Promise.all([getSettings(), fetch('../sites.json').then((r) => r.json())]);
  const box = $('sites');
  box.replaceChildren();
  for (const site of sites.sites) {
    const input = Object.assign(document.createElement('input'), { type: 'checkbox', checked: siteEnabled(settings, site.id) });
    input.dataset.site = site.id;
    input.addEventListener('change', async () => {
      const current = await getSettings();
      await saveSettings({ sites: { ...current.sites, [site.id]: input.checked } });
      flashSaved();
    });
    const label = document.createElement('label');
    label.append(input, ` ${site.name}`);
    box.append(label);
  }
  renderOther(settings.otherSites);
}

function renderOther(patterns) {
  const list = $('other-list');
  list.replaceChildren();
  if (!patterns.length) {
    list.append(Object.assign(document.createElement('li'), { className: 'muted', textContent: t('no_other_sites') }));
  }
  for (const pattern of patterns) {
    const remove = Object.assign(document.createElement('button'), { type: 'button', textContent: t('btn_remove') });
    remove.addEventListener('click', async () => {
      const settings = await getSettings();
      const otherSites = settings.otherSites.filter((p) => p !== pattern);
      await saveSettings({ otherSites });
      await chrome.runtime.sendMessage({ type: 'sync-sites' });
      chrome.permissions.remove({ origins: [pattern] }).catch(() => {});
      renderOther(otherSites);
      flashSaved();
    });
    const item = document.createElement('li');
    item.append(Object.assign(document.createElement('span'), { textContent: pattern.replace(/\/\*$/, '') }), remove);
    list.append(item);
  }
}

async function onAddSite(event) {
  event.preventDefault();
  $('other-error').textContent = '';
  const pattern = sitePattern($('other').value);
  if (!pattern) {
    $('other-error').textContent = t('err_site');
    return;
  }
  // Must run straight from the click: the browser asks the parent to allow this one site.
  const granted = await chrome.permissions.request({ origins: [pattern] }).catch(() => false);
  if (!granted) {
    $('other-error').textContent = t('err_permission');
    return;
  }
  const settings = await getSettings();
  const otherSites = [...new Set([...settings.otherSites, pattern])];
  await saveSettings({ otherSites });
  await chrome.runtime.sendMessage({ type: 'sync-sites' });
  $('other').value = '';
  renderOther(otherSites);
  flashSaved();
}

async function init() {
  const settings = await getSettings();
  await applyLanguage(settings.lang);
  $('port').value = settings.port;
  for (const radio of document.querySelectorAll('input[name=lang]')) {
    radio.checked = radio.value === settings.lang;
    radio.addEventListener('change', async () => {
      await saveSettings({ lang: radio.value });
      await applyLanguage(radio.value);
      await renderSites();
      await refreshStatus(false);
      flashSaved();
    });
  }
  $('port').addEventListener('change', () => saveSettings({ port: Number($('port').value) || DEFAULT_PORT }));
  $('pair-form').addEventListener('submit', onPair);
  $('disconnect').addEventListener('click', async () => showStatus((await chrome.runtime.sendMessage({ type: 'unpair' }))?.state));
  $('other-form').addEventListener('submit', onAddSite);
  await renderSites();
  await refreshStatus();
  document.body.dataset.ready = 'true'; // the page reacts to input from here on
}

init();
