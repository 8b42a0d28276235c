/*
 * Building blocks for everything Not Alone draws on a page: a host element with its own shadow
 * root (site CSS cannot reach inside), a light/dark theme picked from the page, a tiny DOM builder
 * that only ever sets text (message text is never parsed as HTML).
 */
(() => {
  const NA = globalThis.NotAlone;
  const SVG_NS = 'http://www.w3.org/2000/svg';

  /** el('button', {class: 'x', onclick: f}, 'text', child) */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** Shield with a heart: the friendly mark on every card. */
  function icon(kind = 'shield') {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('fill', 'currentColor');
    path.setAttribute(
      'd',
      kind === 'info'
        ? 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm1 15h-2v-6h2v6Zm0-8h-2V7h2v2Z'
        : 'M12 2 4 5v6c0 5 3.4 9.3 8 11 4.6-1.7 8-6 8-11V5l-8-3Zm0 14.6-.6-.5C9.2 14.3 8 13.2 8 11.8 8 10.8 8.8 10 9.8 10c.6 0 1.2.3 1.6.8l.6.6.6-.6c.4-.5 1-.8 1.6-.8 1 0 1.8.8 1.8 1.8 0 1.4-1.2 2.5-3.4 4.3l-.6.5Z',
    );
    svg.append(path);
    return el('span', { class: 'icon' }, svg);
  }

  function parseRgb(color) {
    const m = /rgba?\(([\d.]+)[, ]+([\d.]+)[, ]+([\d.]+)(?:[,/ ]+([\d.]+%?))?/.exec(color || '');
    if (!m) return null;
    const alpha = m[4] === undefined ? 1 : parseFloat(m[4]) / (m[4].endsWith('%') ? 100 : 1);
    return { r: +m[1], g: +m[2], b: +m[3], a: alpha };
  }

  /** 'dark' when the first opaque background behind `node` is dark, else 'light'. */
  function themeFor(node) {
    for (let el = node; el && el.nodeType === 1; el = el.parentElement) {
      const c = parseRgb(getComputedStyle(el).backgroundColor);
      if (c && c.a > 0.5) {
        const luminance = (0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b) / 255;
        return luminance < 0.45 ? 'dark' : 'light';
      }
    }
    const root = getComputedStyle(document.documentElement).colorScheme || '';
    if (root.includes('dark') && matchMedia('(prefers-color-scheme: dark)').matches) return 'dark';
    return 'light';
  }

  /**
   * A host element (custom tag, inline `all: initial` so site rules are neutralised) with an
   * open shadow root holding our stylesheet.
   */
  function createHost(kind, { theme = 'light', severity, display = 'block' } = {}) {
    const host = document.createElement(`notalone-${kind}`);
    host.setAttribute('style', `all: initial !important; display: ${display} !important;`);
    host.dataset.kind = kind;
    host.dataset.theme = theme;
    if (severity) host.dataset.severity = severity;
    const root = host.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = NA.config.css;
    root.append(style);
    return { host, root };
  }

  /** True for nodes we drew, so the scanner never treats them as messages. */
  function isOurs(node) {
    return node.nodeType === 1 && node.localName.startsWith('notalone-');
  }

  /** Copies text; works without clipboard permission on plain http pages too. */
  async function copyText(text, fallbackField) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      fallbackField?.select();
      return document.execCommand?.('copy') ?? false;
    }
  }

  /** A row of toggle buttons, each opening one panel (only one open at a time). */
  function togglePanels(buttons, panels) {
    buttons.forEach((button, i) => {
      button.setAttribute('aria-expanded', 'false');
      button.addEventListener('click', () => {
        const open = button.getAttribute('aria-expanded') !== 'true';
        buttons.forEach((b, j) => {
          b.setAttribute('aria-expanded', String(open && i === j));
          panels[j].hidden = !(open && i === j);
        });
      });
    });
  }

  NA.ui = { el, icon, themeFor, createHost, isOurs, copyText, togglePanels };
})();
