/*
 * Messages in the language the parent chose (not the browser's UI language, which is all
 * chrome.i18n can follow). Classic script: shared by the service worker (imported for its side
 * effect), the options and popup pages, and the content scripts (which receive the messages from
 * the service worker, never fetch them).
 */
(() => {
  const LANGS = ['en', 'vi'];

  /** The language to use when the parent has not chosen one yet. */
  function defaultLang() {
    const ui = (globalThis.chrome?.i18n?.getUILanguage?.() || 'en').toLowerCase();
    return ui.startsWith('vi') ? 'vi' : 'en';
  }

  /** Loads `_locales/<lang>/messages.json` (extension pages and the service worker only). */
  async function load(lang) {
    const code = LANGS.includes(lang) ? lang : 'en';
    const response = await fetch(chrome.runtime.getURL(`_locales/${code}/messages.json`));
    return response.json();
  }

  /** Formats a message the way chrome.i18n does for `$1`..`$9` and `$$`. */
  function format(messages, key, ...subs) {
    const entry = messages?.[key];
    if (!entry) return key;
    return entry.message.replace(/\$(\$|\d)/g, (_, d) => (d === '$' ? '$' : String(subs[Number(d) - 1] ?? '')));
  }

  /** Fills `data-i18n` (text) and `data-i18n-attr="attr:key;..."` elements of an extension page. */
  function localize(root, messages) {
    for (const el of root.querySelectorAll('[data-i18n]')) {
      el.textContent = format(messages, el.dataset.i18n);
    }
    for (const el of root.querySelectorAll('[data-i18n-attr]')) {
      for (const pair of el.dataset.i18nAttr.split(';')) {
        const [attr, key] = pair.split(':');
        if (attr && key) el.setAttribute(attr.trim(), format(messages, key.trim()));
      }
    }
  }

  globalThis.NotAloneI18n = { LANGS, defaultLang, load, format, localize };
})();
