/*
 * Starts Not Alone on a page the service worker says is protected, and answers the popup.
 */
(() => {
  const NA = globalThis.NotAlone;
  if (NA.loaded) return;
  NA.loaded = true;

  let scanner = null;

  async function boot() {
    const config = await NA.send('hello', { url: location.href });
    if (config.error || !config.enabled) return;
    NA.config = config;
    scanner = new NA.Scanner(config.adapter);
    NA.links.install();
    NA.composer.install();
    scanner.start();
  }

  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== chrome.runtime.id) return false;
    if (message?.type === 'list-warnings') {
      sendResponse(scanner ? { checked: true, warnings: scanner.list() } : { checked: false, warnings: [] });
    } else if (message?.type === 'reveal-warning' && scanner) {
      scanner.reveal(message.id);
      sendResponse({ ok: true });
    } else if (message?.type === 'config-changed' && NA.config) {
      // a new language applies to new warnings at once; existing ones stay as drawn
      NA.send('hello', { url: location.href }).then((config) => {
        if (!config.error && config.enabled) NA.config = config;
      });
    }
    return false;
  });

  boot();
})();
