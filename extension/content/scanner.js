/*
 * Finds messages with the site adapter, sends only new or changed ones (batched, debounced,
 * at most the API limit per call) and draws warnings. Existing warnings are never redrawn, so a
 * chat with thousands of messages stays smooth.
 */
(() => {
  const NA = globalThis.NotAlone;
  const { isOurs } = NA.ui;
  const RETRY_MS = 15_000;
  const MAX_LINKS = 20;
  const MAX_TEXT = 4000;

  /** Warn under a message at medium and above, or at low once its conversation looks risky. */
  function shouldWarn(result, threadSeverity) {
    if (!result.flagged) return false;
    const own = NA.rank(result.severity);
    return own >= NA.rank('medium') || (own >= NA.rank('low') && NA.rank(threadSeverity) >= NA.rank('high'));
  }

  /** A conversation gets a banner when signs combine, or when it is high risk across categories. */
  function escalated(thread) {
    return (thread.combos || []).length > 0 || (NA.rank(thread.severity) >= NA.rank('high') && (thread.categories || []).length >= 2);
  }

  class Scanner {
    constructor(adapter) {
      this.adapter = adapter;
      this.pathRe = adapter.path ? new RegExp(adapter.path) : null;
      this.pending = new Set();
      this.failed = new Set();
      this.seen = new WeakMap(); // message element -> text already checked
      this.warnings = new Map(); // message element -> {host, id, category, severity}
      this.banners = new Map(); // thread -> {host, update, severity, categories, advice}
      this.busy = false;
      this.retryTimer = null;
      this.lastUrl = location.href;
      this.seq = 0;
      this.schedule = NA.debounce(() => this.flush());
      this.observer = new MutationObserver((records) => this.onMutations(records));
    }

    start() {
      this.observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true });
      this.collect(document.documentElement);
      this.schedule();
    }

    pathOk() {
      return !this.pathRe || this.pathRe.test(location.pathname);
    }

    /** Queues every message in or around `node`. */
    collect(node) {
      const sel = this.adapter.message;
      if (node.nodeType === 3) node = node.parentElement;
      if (!node || node.nodeType !== 1 || isOurs(node)) return;
      const own = node.closest(sel);
      if (own) this.pending.add(own);
      for (const el of node.querySelectorAll(sel)) this.pending.add(el);
    }

    onMutations(records) {
      if (location.href !== this.lastUrl) {
        // single-page sites: a new conversation is shown without a page load
        this.lastUrl = location.href;
        this.dropBanners();
        this.collect(document.documentElement);
      }
      for (const record of records) {
        if (record.type === 'characterData') {
          this.collect(record.target);
          continue;
        }
        if (isOurs(record.target)) continue;
        let added = false;
        for (const node of record.addedNodes) {
          if (node.nodeType === 1 && isOurs(node)) continue;
          this.collect(node);
          added = true;
        }
        if (added && record.target.nodeType === 1) {
          const around = record.target.closest(this.adapter.message);
          if (around) this.pending.add(around);
        }
      }
      NA.composer.refresh();
      if (this.pending.size) this.schedule();
    }

    /** Reads one message element, or null when it is not one we should check. */
    read(container) {
      const a = this.adapter;
      if (!container.isConnected) return null;
      if (a.skip && container.closest(a.skip)) return null;
      if (a.leaf_only && container.querySelector(a.message)) return null;
      let text;
      if (a.text) {
        const all = [...container.querySelectorAll(a.text)];
        text = all
          .filter((n) => !all.some((o) => o !== n && o.contains(n))) // outermost matches only
          .map((n) => n.textContent)
          .join('\n');
      } else {
        text = container.textContent;
      }
      text = (text || '').trim().slice(0, MAX_TEXT);
      if (text.length < (a.min_length || 1)) return null;
      const out = a.outgoing && container.closest(a.outgoing);
      const anchors = [...container.querySelectorAll('a[href]')].slice(0, MAX_LINKS);
      return {
        container,
        text,
        anchors,
        direction: out ? 'out' : 'in',
        sender: NA.locate(a.sender, container),
        thread: NA.locate(a.thread, container) || location.pathname,
      };
    }

    async flush() {
      if (this.busy) return;
      if (!this.pathOk()) {
        this.pending.clear();
        return;
      }
      this.forgetDetached();
      const batch = [];
      for (const container of this.pending) {
        this.pending.delete(container);
        const info = this.read(container);
        if (!info || this.seen.get(container) === info.text) continue;
        batch.push(info);
        if (batch.length >= NA.API_BATCH) break;
      }
      if (batch.length) {
        this.busy = true;
        try {
          await this.analyze(batch);
        } finally {
          this.busy = false;
        }
      }
      if (this.pending.size) this.flush();
    }

    async analyze(batch) {
      const messages = batch.map((info) => {
        this.seq += 1;
        info.id = `m${this.seq}`;
        const m = { id: info.id, text: info.text, direction: info.direction, thread: info.thread };
        if (info.sender) m.sender = info.sender;
        const links = info.anchors.map(NA.links.httpHref).filter(Boolean);
        if (links.length) m.links = links;
        return m;
      });
      const reply = await NA.send('analyze', { messages, page: NA.page() });
      if (reply.error === 'extension_gone') {
        this.observer.disconnect(); // the extension was updated or removed: this copy retires
        return;
      }
      if (reply.error) {
        batch.forEach((info) => this.failed.add(info.container));
        this.retryLater();
        return;
      }
      const threads = reply.threads || {};
      const anchors = [];
      reply.results.forEach((result, i) => {
        const info = batch[i];
        this.seen.set(info.container, info.text);
        anchors.push(...info.anchors);
        const thread = threads[info.thread];
        this.noteThread(info.thread, result);
        const existing = this.warnings.get(info.container);
        if (existing) {
          // the message text changed: replace its warning
          existing.host.remove();
          this.warnings.delete(info.container);
        }
        if (info.direction === 'in' && shouldWarn(result, thread?.severity)) this.warn(info, result);
      });
      for (const [id, thread] of Object.entries(threads)) this.banner(id, thread, batch);
      NA.links.check(anchors);
    }

    warn(info, result) {
      const { host, category } = NA.warning.renderWarning(info, result, (h) => this.dismiss(info, result, h));
      this.warnings.set(info.container, { host, id: info.id, category, severity: result.severity });
    }

    /** "Not a problem": hide it and tell the server, which stops those rules for this sender. */
    dismiss(info, result, host) {
      NA.warning.acknowledge(host);
      this.warnings.delete(info.container);
      const rules = [...new Set((result.findings || []).map((f) => f.rule))];
      const feedback = { kind: 'not_a_problem', rules, thread: info.thread, message_hash: result.hash, categories: result.categories || [] };
      if (info.sender) feedback.sender = info.sender;
      NA.send('feedback', { feedback });
    }

    /** What we know of a conversation, for its banner. */
    threadState(id) {
      if (!this.banners.has(id)) {
        this.banners.set(id, { host: null, update: null, hidden: false, severity: 'none', categories: [], advice: [] });
      }
      return this.banners.get(id);
    }

    /** Collects the advice given in a conversation (the banner's "What to do"). */
    noteThread(id, result) {
      if (!result.flagged) return;
      const state = this.threadState(id);
      for (const a of result.advice || []) if (!state.advice.some((b) => b.key === a.key)) state.advice.push(a);
    }

    banner(id, thread, batch) {
      if (!escalated(thread)) return;
      const state = this.threadState(id);
      if (state.hidden) return;
      const view = { severity: thread.severity, categories: thread.categories || [], advice: state.advice };
      if (state.host?.isConnected) {
        if (state.severity !== view.severity || state.categories.join() !== view.categories.join()) state.update(view);
      } else {
        const sample = batch.find((info) => info.thread === id) || batch[0];
        const anchor = this.conversationRoot(sample.container);
        if (!anchor) return;
        Object.assign(state, NA.warning.renderBanner(anchor, view, () => { state.hidden = true; }));
      }
      state.severity = view.severity;
      state.categories = view.categories;
    }

    /** Another conversation is shown: its banner, if any, comes back with its messages. */
    dropBanners() {
      for (const state of this.banners.values()) {
        state.host?.remove();
        state.host = null;
      }
    }

    /** Where the banner goes: the first selector (in the adapter's order) that matches. */
    conversationRoot(container) {
      for (const sel of [this.adapter.conversation || []].flat()) {
        const found = document.querySelector(sel);
        if (found) return found;
      }
      return container.parentElement;
    }

    /** Drops warnings whose message the site removed. */
    forgetDetached() {
      for (const [container, w] of this.warnings) {
        if (!container.isConnected) {
          w.host.remove();
          this.warnings.delete(container);
        }
      }
    }

    retryLater() {
      if (this.retryTimer) return;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        for (const c of this.failed) this.pending.add(c);
        this.failed.clear();
        this.schedule();
      }, RETRY_MS);
    }

    /** For the popup: the warnings on this page, in the order they appeared. */
    list() {
      return [...this.warnings.values()]
        .filter((w) => w.host.isConnected)
        .map((w) => ({ id: w.id, text: NA.warning.headline(w.category), severity: w.severity }));
    }

    reveal(id) {
      for (const w of this.warnings.values()) {
        if (w.id === id) {
          w.host.scrollIntoView({ block: 'center', behavior: 'smooth' });
          w.host.shadowRoot.querySelector('button')?.focus();
        }
      }
    }
  }

  NA.Scanner = Scanner;
})();
