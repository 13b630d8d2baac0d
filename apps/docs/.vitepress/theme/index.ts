import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import { h } from 'vue';

import Freshness from './components/Freshness.vue';
import './custom.css';

// The default theme, plus a freshness line above every page's content.
export default {
  extends: DefaultTheme,
  Layout: () => h(DefaultTheme.Layout, null, { 'doc-before': () => h(Freshness) }),
} satisfies Theme;
