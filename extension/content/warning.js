/*
 * The warning card under a risky message and the banner over a conversation whose risk escalated.
 * Short, kind texts from _locales; details only when the teen asks for them.
 */
(() => {
  const NA = globalThis.NotAlone;
  const { el, icon, createHost, themeFor, copyText, togglePanels } = NA.ui;
  let panelSeq = 0;

  // When findings are equally severe, the headline names the more urgent danger.
  const URGENCY = [
    'threat', 'sexual_content', 'isolation', 'impersonation', 'secrecy', 'meeting', 'off_platform',
    'private_group', 'personal_info', 'money', 'lure_offer', 'suspicious_link', 'flattery',
  ];
  const urgency = (category) => {
    const i = URGENCY.indexOf(category);
    return i < 0 ? URGENCY.length : i;
  };

  /** The category that best explains a verdict: its most severe finding, most urgent first. */
  function mainCategory(result) {
    let best = null;
    for (const f of result.findings || []) {
      const diff = best ? NA.rank(f.severity) - NA.rank(best.severity) : 1;
      if (diff > 0 || (diff === 0 && urgency(f.category) < urgency(best.category))) best = f;
    }
    return best?.category || result.categories?.[0] || 'other';
  }

  function headline(category) {
    const key = `cat_${category}`;
    return NA.config.messages[key] ? NA.t(key) : NA.t('cat_other');
  }

  /** The message with the matched words marked; long texts are cut to windows around them. */
  function highlighted(text, findings) {
    const spans = findings
      .filter((f) => f.start >= 0 && f.end > f.start && f.end <= text.length)
      .map((f) => [f.start, f.end])
      .sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const [s, e] of spans) {
      const last = merged[merged.length - 1];
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else merged.push([s, e]);
    }
    if (!merged.length) return null;
    const CONTEXT = 70;
    const parts = [];
    let cursor = text.length > 280 ? Math.max(0, merged[0][0] - CONTEXT) : 0;
    if (cursor > 0) parts.push('… ');
    for (const [s, e] of merged) {
      if (text.length > 280 && s - cursor > 2 * CONTEXT) {
        parts.push(text.slice(cursor, cursor + CONTEXT), ' … ');
        cursor = s - CONTEXT;
      }
      parts.push(text.slice(cursor, s), el('mark', {}, text.slice(s, e)));
      cursor = e;
    }
    const tailEnd = text.length > 280 ? Math.min(text.length, cursor + CONTEXT) : text.length;
    parts.push(text.slice(cursor, tailEnd));
    if (tailEnd < text.length) parts.push(' …');
    return el('p', { class: 'quote' }, parts);
  }

  /** The 3 Nos and 3 Musts that apply, as the server worded them in the chosen language. */
  function adviceBlock(advice) {
    const nos = advice.filter((a) => a.key.startsWith('no_'));
    const musts = advice.filter((a) => !a.key.startsWith('no_'));
    const list = (items) => el('ul', {}, items.map((a) => el('li', {}, el('strong', {}, a.title), ' ', a.text)));
    return [
      nos.length ? [el('h3', {}, NA.t('advice_nos')), list(nos)] : null,
      musts.length ? [el('h3', {}, NA.t('advice_musts')), list(musts)] : null,
    ];
  }

  function whyPanel(text, result) {
    const quote = highlighted(text, result.findings || []);
    return [el('h3', {}, NA.t('why_words')), quote || el('p', { class: 'quote' }, NA.t('why_link_only')), adviceBlock(result.advice || [])];
  }

  function blockPanel() {
    const steps = NA.config.adapter.block_steps || [];
    return [el('h3', {}, NA.t('block_title', NA.siteName())), el('ol', {}, steps.map((key) => el('li', {}, NA.t(key))))];
  }

  function talkPanel(category) {
    const message = NA.t('talk_message', NA.siteName(), NA.t(`catname_${category}`));
    const field = el('textarea', { readonly: true, 'aria-label': NA.t('talk_intro') }, message);
    const copy = el('button', {
      type: 'button',
      onclick: async () => {
        await copyText(message, field);
        copy.textContent = NA.t('copied');
      },
    }, NA.t('btn_copy'));
    return [
      el('p', {}, NA.t('talk_intro')),
      field,
      el('div', { class: 'row' }, copy),
      el('p', { class: 'hotline' }, NA.t('hotline'), ' ', el('a', { href: 'tel:111', class: 'button' }, NA.t('hotline_call'))),
    ];
  }

  /** Builds panels and their toggle buttons with matching ids for aria-controls. */
  function panelSet(specs) {
    const buttons = [];
    const panels = [];
    for (const [label, build] of specs) {
      panelSeq += 1;
      const id = `na-panel-${panelSeq}`;
      buttons.push(el('button', { type: 'button', 'aria-controls': id, class: 'toggle' }, label));
      panels.push(el('div', { class: 'panel', id, hidden: true, role: 'region', 'aria-label': label }, build()));
    }
    togglePanels(buttons, panels);
    return { buttons, panels };
  }

  /**
   * Draws the card for one flagged incoming message. `info` = {container, text, thread, sender}.
   * `onDismiss` is called after "Not a problem".
   */
  function renderWarning(info, result, onDismiss) {
    const category = mainCategory(result);
    const { host, root } = createHost('warning', { theme: themeFor(info.container), severity: result.severity });
    const { buttons, panels } = panelSet([
      [NA.t('btn_why'), () => whyPanel(info.text, result)],
      [NA.t('btn_block'), blockPanel],
      [NA.t('btn_talk'), () => talkPanel(category)],
    ]);
    const dismiss = el('button', { type: 'button', class: 'quiet', onclick: () => onDismiss(host) }, NA.t('btn_dismiss'));
    const card = el(
      'div',
      { class: 'card', role: 'group', 'aria-label': NA.t('warning_label') },
      el('div', { class: 'head' }, icon(), el('p', { class: 'headline' }, headline(category))),
      el('div', { class: 'actions' }, buttons, dismiss),
      panels,
    );
    root.append(card);
    host.dataset.category = category;
    if (NA.config.adapter.place === 'append') info.container.append(host);
    else info.container.after(host);
    return { host, category };
  }

  /** Banner over a conversation: signs seen so far, what to do, who to talk to. */
  function renderBanner(anchor, thread, onHide) {
    const { host, root } = createHost('banner', { theme: themeFor(anchor), severity: thread.severity });
    host.style.setProperty('position', 'sticky', 'important');
    host.style.setProperty('top', '0', 'important');
    host.style.setProperty('z-index', '2147483000', 'important');
    const signs = el('p', { class: 'sub' });
    const category = thread.categories[0] || 'other';
    const { buttons, panels } = panelSet([
      [NA.t('btn_what_to_do'), () => adviceBlock(thread.advice)],
      [NA.t('btn_talk'), () => talkPanel(category)],
    ]);
    const hide = el('button', {
      type: 'button',
      class: 'quiet',
      onclick: () => {
        host.remove();
        onHide();
      },
    }, NA.t('btn_hide'));
    root.append(
      el(
        'div',
        { class: 'banner', role: 'status' },
        el('div', { class: 'head' }, icon(), el('div', {}, el('p', { class: 'headline' }, NA.t('banner_title')), signs)),
        el('div', { class: 'actions' }, buttons, hide),
        panels,
      ),
    );
    const update = (t) => {
      host.dataset.severity = t.severity;
      const names = t.categories.map((c) => NA.t(`catname_${c}`));
      signs.textContent = NA.t('banner_text', names.join(NA.t('list_sep')));
      panels[0].replaceChildren(...[adviceBlock(t.advice)].flat(Infinity).filter(Boolean));
    };
    update(thread);
    anchor.prepend(host);
    return { host, update };
  }

  /** After "Not a problem": a short thank-you in place of the card, then nothing. */
  function acknowledge(host) {
    const card = host.shadowRoot.querySelector('.card');
    card.replaceWith(el('p', { class: 'thanks', role: 'status' }, NA.t('dismissed')));
    setTimeout(() => host.remove(), 2500);
  }

  NA.warning = { renderWarning, renderBanner, mainCategory, headline, acknowledge };
})();
