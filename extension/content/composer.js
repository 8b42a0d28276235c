/*
 * Outgoing: while the teen types, the draft is checked (direction "out", debounced) and a gentle
 * hint appears above the message box when it holds personal details. Nothing is ever blocked.
 */
(() => {
  const NA = globalThis.NotAlone;
  const { el, icon, createHost, themeFor } = NA.ui;
  const DEBOUNCE_MS = 400;
  const MIN_LENGTH = 6;

  let hint = null; // {host, composer, text}
  let timer = null;
  let seq = 0;
  let dismissedFor = null; // the composer whose hint the teen closed, until it is emptied

  function draftOf(composer) {
    return ('value' in composer ? composer.value : composer.innerText || '').trim();
  }

  function hideHint() {
    hint?.host.remove();
    hint = null;
  }

  function place(host, composer) {
    const rect = composer.getBoundingClientRect();
    host.style.setProperty('position', 'fixed', 'important');
    host.style.setProperty('left', `${Math.max(8, rect.left)}px`, 'important');
    host.style.setProperty('bottom', `${Math.max(8, innerHeight - rect.top + 8)}px`, 'important');
    host.style.setProperty('z-index', '2147483000', 'important');
  }

  function showHint(composer, category) {
    const key = category === 'personal_info' ? 'hint_personal_info' : 'hint_other';
    if (hint?.composer === composer && hint.key === key) {
      place(hint.host, composer);
      return;
    }
    hideHint();
    const { host, root } = createHost('hint', { theme: themeFor(composer) });
    const ok = el('button', {
      type: 'button',
      onclick: () => {
        dismissedFor = composer;
        hideHint();
        composer.focus();
      },
    }, NA.t('btn_ok'));
    root.append(
      el('div', { class: 'hint', role: 'status', 'aria-live': 'polite' }, icon('info'), el('div', {}, el('p', {}, NA.t(key)), el('p', { class: 'note' }, NA.t('hint_note')), ok)),
    );
    place(host, composer);
    document.documentElement.append(host);
    hint = { host, composer, key };
  }

  async function check(composer) {
    const text = draftOf(composer);
    if (text.length < MIN_LENGTH) {
      if (!text) dismissedFor = null;
      hideHint();
      return;
    }
    if (dismissedFor === composer) return;
    const mine = ++seq;
    const reply = await NA.send('analyze', {
      messages: [{ id: 'draft', text: text.slice(0, 4000), direction: 'out' }],
      page: NA.page(),
    });
    if (mine !== seq || reply.error) return; // a newer draft is on its way, or no server
    const result = reply.results[0];
    if (result.flagged) {
      const cats = result.categories || [];
      showHint(composer, cats.includes('personal_info') ? 'personal_info' : cats[0]);
    } else {
      hideHint();
    }
  }

  function onInput(event) {
    const selector = NA.config?.adapter.composer;
    const target = event.composedPath()[0];
    const composer = selector && target instanceof Element ? target.closest(selector) : null;
    if (!composer) return;
    clearTimeout(timer);
    timer = setTimeout(() => check(composer), DEBOUNCE_MS);
  }

  /** Called on page changes: the site may clear the box on send without an input event. */
  function refresh() {
    if (hint && (!hint.composer.isConnected || !draftOf(hint.composer))) hideHint();
  }

  function install() {
    document.addEventListener('input', onInput, true);
  }

  NA.composer = { install, refresh };
})();
