/*
 * Shared pieces of the content script: the namespace, talking to the service worker, reading the
 * site adapter's locators. Content scripts never call the server themselves.
 */
(() => {
  if (globalThis.NotAlone) return; // injected twice (built-in site also added as "other site")

  const SEVERITY_RANK = { none: 0, low: 1, medium: 2, high: 3, critical: 4 };
  const API_BATCH = 200;

  const NA = {
    API_BATCH,
    config: null, // {adapter, lang, messages, css, state} from the service worker's hello
    loaded: false,

    rank(severity) {
      return SEVERITY_RANK[severity] ?? 0;
    },

    t(key, ...subs) {
      return globalThis.NotAloneI18n.format(NA.config?.messages, key, ...subs);
    },

    /** Sends a message to the service worker; resolves `{error}` instead of throwing. */
    async send(type, payload = {}) {
      try {
        const reply = await chrome.runtime.sendMessage({ type, ...payload });
        return reply || { error: 'no_reply' };
      } catch (error) {
        return { error: 'extension_gone', message: String(error?.message || error) };
      }
    },

    /** The site's name for texts ("Messenger"), or the host for other sites. */
    siteName() {
      return NA.config.adapter.name || location.hostname;
    },

    /** Page identifier sent to the server: the host only, never the full URL. */
    page() {
      return location.hostname;
    },

    /**
     * Evaluates adapter locators (first non-empty value wins). A locator is
     * {url: regex with one group} or {doc?, closest?, previous?, find?, attr?}.
     */
    locate(locators, container) {
      for (const loc of locators || []) {
        let value = null;
        if (loc.url) {
          value = new RegExp(loc.url).exec(location.href)?.[1] ?? null;
        } else {
          let el = loc.doc ? document.querySelector(loc.doc) : container;
          if (el && loc.closest) el = el.closest(loc.closest);
          if (el && loc.previous) el = NA.previousWith(container, loc.previous);
          else if (el && loc.find) el = el.matches(loc.find) ? el : el.querySelector(loc.find);
          if (el) value = loc.attr ? el.getAttribute(loc.attr) : el.textContent;
        }
        value = value?.trim();
        if (value) return value.slice(0, 200);
      }
      return undefined;
    },

    /** In grouped chats only the first message shows the name: look back for it. */
    previousWith(container, selector) {
      let el = container;
      for (let i = 0; el && i < 50; i += 1) {
        const hit = el.matches(selector) ? el : el.querySelector(selector);
        if (hit) return hit;
        el = el.previousElementSibling;
      }
      return null;
    },

    /** Calls `fn` 150 ms after the last call, and at most 400 ms after the first pending one. */
    debounce(fn, wait = 150, maxWait = 400) {
      let timer = null;
      let first = 0;
      return () => {
        const now = performance.now();
        if (!timer) first = now;
        clearTimeout(timer);
        const delay = Math.max(0, Math.min(wait, first + maxWait - now));
        timer = setTimeout(() => {
          timer = null;
          fn();
        }, delay);
      };
    },
  };

  globalThis.NotAlone = NA;
})();
