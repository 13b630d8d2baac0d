import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import { h } from 'vue';

import Freshness from './components/Freshness.vue';
import './custom.css';
import './figures.css';

// The default theme, plus a freshness note at the foot of every page (below the text, so that it does not
// interrupt the reading).
export default {
  extends: DefaultTheme,
  Layout: () => h(DefaultTheme.Layout, null, { 'doc-footer-before': () => h(Freshness) }),
} satisfies Theme;
