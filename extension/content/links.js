/*
 * Risky links in messages: a small marker next to the link, and a short interstitial before it
 * opens, with "Go back" as the focused default.
 */
(() => {
  const NA = globalThis.NotAlone;
  const { el, icon, createHost, themeFor } = NA.ui;

  const verdictOf = new WeakMap(); // anchor -> flagged link verdict
  const checked = new WeakSet(); // anchors already sent for checking
  let installed = false;

  function httpHref(anchor) {
    const href = anchor.href;
    return /^https?:/i.test(href) ? href : null;
  }

  function reasonText(id) {
    const key = `reason_${id}`;
    return NA.config.messages[key] ? NA.t(key) : NA.t('reason_other');
  }

  /** Checks the links found in new messages and marks the risky ones. */
  async function check(anchors) {
    const fresh = anchors.filter((a) => !checked.has(a) && httpHref(a));
    if (!fresh.length) return;
    fresh.forEach((a) => checked.add(a));
    const urls = [...new Set(fresh.map(httpHref))];
    for (let i = 0; i < urls.length; i += NA.API_BATCH) {
      const part = urls.slice(i, i + NA.API_BATCH);
      const reply = await NA.send('links', { urls: part });
      if (reply.error) {
        fresh.forEach((a) => checked.delete(a)); // try again with the next batch
        return;
      }
      const byUrl = new Map(reply.results.filter((r) => r.flagged).map((r) => [r.url, r]));
      for (const anchor of fresh) {
        const verdict = byUrl.get(httpHref(anchor));
        if (verdict && !verdictOf.has(anchor)) mark(anchor, verdict);
      }
    }
  }

  function mark(anchor, verdict) {
    verdictOf.set(anchor, verdict);
    const { host, root } = createHost('link', { theme: themeFor(anchor), severity: verdict.severity, display: 'inline' });
    const label = `${NA.t('link_mark')}: ${verdict.reasons.map(reasonText).join(' ')}`;
    root.append(
      el('button', { type: 'button', class: 'mark-btn', title: label, 'aria-label': label, onclick: () => interstitial(anchor, verdict) }, `⚠ ${NA.t('link_mark')}`),
    );
    anchor.after(host);
  }

  /** The pause before a risky link: reasons, "Go back" (default) or "Open anyway". */
  function interstitial(anchor, verdict) {
    const { host, root } = createHost('interstitial', { theme: themeFor(document.body), severity: verdict.severity });
    const close = () => {
      host.remove();
      anchor.focus?.();
    };
    const back = el('button', { type: 'button', class: 'primary', onclick: close }, NA.t('btn_go_back'));
    const open = el('button', {
      type: 'button',
      class: 'quiet',
      onclick: () => {
        host.remove();
        if (anchor.target && anchor.target !== '_self') window.open(anchor.href, anchor.target, 'noopener');
        else location.assign(anchor.href);
      },
    }, NA.t('btn_open_anyway'));
    const titleId = 'na-link-title';
    const dialog = el(
      'div',
      { class: 'dialog', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': titleId },
      el('div', { class: 'head' }, icon(), el('h2', { id: titleId }, NA.t('link_title'))),
      el('p', {}, NA.t('link_intro')),
      el('p', { class: 'url' }, anchor.href),
      el('ul', {}, verdict.reasons.length ? verdict.reasons.map((r) => el('li', {}, reasonText(r))) : el('li', {}, reasonText('other'))),
      el('div', { class: 'buttons' }, back, open),
    );
    const overlay = el('div', { class: 'overlay', onclick: (e) => e.target === overlay && close() }, dialog);
    overlay.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') close();
      if (e.key === 'Tab') {
        // keep focus inside the dialog
        e.preventDefault();
        (root.activeElement === back ? open : back).focus();
      }
    });
    root.append(overlay);
    document.documentElement.append(host);
    back.focus();
  }

  /** Catches clicks on marked links before the site sees them. */
  function onClick(event) {
    if (event.button > 1) return;
    const anchor = event.composedPath().find((n) => n instanceof HTMLAnchorElement);
    const verdict = anchor && verdictOf.get(anchor);
    if (!verdict) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    interstitial(anchor, verdict);
  }

  function install() {
    if (installed) return;
    installed = true;
    window.addEventListener('click', onClick, true);
    window.addEventListener('auxclick', onClick, true);
  }

  NA.links = { check, install, httpHref };
})();
