import { type Theme, inBrowser } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import { h, nextTick } from 'vue';

import Freshness from './components/Freshness.vue';
import './custom.css';
import './figures.css';

/**
 * Highlight the code line a link points at (#py-rnn-8, #ts-rnn-rnn-102; see line-anchors.ts). VitePress
 * scrolls to in-page anchors itself, which does not update CSS :target, so the class is set here.
 */
function markLinkedLine(): void {
  for (const el of document.querySelectorAll('.line-target')) el.classList.remove('line-target');
  const id = decodeURIComponent(location.hash.slice(1));
  if (id) document.getElementById(id)?.classList.add('line-target');
}

// The default theme, plus a freshness note at the foot of every page (below the text, so that it does not
// interrupt the reading).
export default {
  extends: DefaultTheme,
  Layout: () => h(DefaultTheme.Layout, null, { 'doc-footer-before': () => h(Freshness) }),
  enhanceApp({ router }) {
    if (!inBrowser) return;
    window.addEventListener('hashchange', markLinkedLine);
    window.addEventListener('load', markLinkedLine);
    const after = router.onAfterRouteChange;
    router.onAfterRouteChange = async (to) => {
      await after?.(to);
      await nextTick();
      markLinkedLine();
    };
  },
} satisfies Theme;
