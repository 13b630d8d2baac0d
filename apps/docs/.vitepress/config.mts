import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type DefaultTheme, type UserConfig } from 'vitepress';

/** A Vite plugin of VitePress' own Vite. */
type Plugin = Extract<NonNullable<NonNullable<UserConfig['vite']>['plugins']>[number], { name: string }>;

import { docsBase } from './base';
import { lineAnchors } from './line-anchors';

// Pages live in content/ (srcDir). Chinese is the root locale (/), English is under /en/.
// Code listings are embedded from the real source files: `<<< @/../../../packages/core/src/...#region`
// (`@` is srcDir = apps/docs/content). Numbers, printed graphs and figures come from generated/ (npm run gen).
// Maths (`$...$`, `$$...$$`) is rendered to SVG at build time by markdown-it-mathjax3: nothing is fetched
// at run time.
// The site lives at `base`: '/' unless DOCS_BASE says otherwise (the publish workflow sets '/<repository>/').

type Item = [slug: string, zh: string, en: string];

const groups: { zh: string; en: string; items: Item[] }[] = [
  {
    zh: '读懂 8.5 节',
    en: 'Understanding d2l 8.5',
    items: [
      ['00-book-code', '0. 书里的代码，逐行读', '0. The book’s code, line by line'],
      ['01-pipeline', '1. 全流程：从文本到预测', '1. The whole pipeline'],
      ['02-one-hot', '2. 独热编码与时间优先', '2. One-hot and time-major'],
      ['03-params-state', '3. 参数与隐状态', '3. Parameters and state'],
      ['04-rnn-step', '4. 手算一步 RNN', '4. One RNN step by hand'],
      ['05-prediction', '5. 预测', '5. Prediction'],
      ['06-gradient-clipping', '6. 梯度裁剪', '6. Gradient clipping'],
      ['07-training', '7. 训练与困惑度', '7. Training and perplexity'],
    ],
  },
  {
    zh: '引擎内部',
    en: 'Under the hood',
    items: [
      ['08-autodiff', '8. 从零实现自动微分', '8. Autodiff from scratch'],
      ['09-backends', '9. 后端', '9. Backends'],
    ],
  },
  {
    zh: '参考与动手',
    en: 'Reference and practice',
    items: [
      ['10-cli-api', '10. 命令行与 API', '10. CLI and API reference'],
      ['11-live-demo', '11. 在线演示：在浏览器里训练', '11. Live demo: train in the browser'],
    ],
  },
  {
    zh: '下一章：门控单元',
    en: 'Next chapter: gated cells',
    items: [
      ['12-gru', '12. 门控循环单元（GRU）', '12. Gated recurrent units (GRU)'],
      ['13-lstm', '13. LSTM 与深层 RNN', '13. LSTM and deep RNNs'],
    ],
  },
  {
    zh: '动手改一处：本节练习',
    en: 'Change one thing: the exercises',
    items: [['14-exercises', '14. 练习', '14. Exercises']],
  },
  {
    zh: '规模化',
    en: 'At scale',
    items: [['15-sweeps', '15. 在多台机器上做超参数扫描', '15. Sweeps on many machines']],
  },
];

function sidebar(lang: 'zh' | 'en'): DefaultTheme.SidebarItem[] {
  const base = lang === 'zh' ? '/' : '/en/';
  return groups.map((g) => ({
    text: g[lang],
    items: g.items.map(([slug, zh, en]) => ({ text: lang === 'zh' ? zh : en, link: `${base}${slug}` })),
  }));
}

// The demo imports the vendored corpus with `import text from '@corpus/timemachine.txt?raw'` (works offline).
const corpusDir = fileURLToPath(new URL('../../../packages/core/data', import.meta.url));

const base = docsBase();

/**
 * Serves tfjs-backend-wasm's `.wasm` files at `/tfjs-wasm/` (the live demo's tfjs:wasm): copied from the
 * installed package into the site at build time, served from it by the dev server. (Vite emits
 * onnxruntime-web's wasm file with the bundle by itself.)
 */
function tfjsWasmFiles(): Plugin {
  const dir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  const files = readdirSync(dir).filter((f) => f.endsWith('.wasm'));
  return {
    name: 'tfjs-wasm-files',
    generateBundle() {
      for (const f of files)
        this.emitFile({ type: 'asset', fileName: `tfjs-wasm/${f}`, source: readFileSync(join(dir, f)) });
    },
    configureServer(server) {
      server.middlewares.use('/tfjs-wasm/', (req, res, next) => {
        const name = (req.url ?? '').replace(/^\//, '').split('?')[0];
        if (!files.includes(name)) return next();
        res.setHeader('content-type', 'application/wasm');
        res.end(readFileSync(join(dir, name)));
      });
    },
  };
}

export default defineConfig({
  srcDir: 'content',
  base,
  title: 'rnn-scratch',
  // VitePress prefixes the base to links and assets, but not to what `head` lists.
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: `${base}favicon.svg` }]],
  cleanUrls: false,
  ignoreDeadLinks: false,
  lastUpdated: false,
  markdown: { lineNumbers: false, math: true, codeTransformers: [lineAnchors] },
  locales: {
    root: {
      label: '简体中文',
      lang: 'zh-CN',
      description: '逐行读懂《动手学深度学习》8.5 节：从零实现循环神经网络',
      themeConfig: {
        nav: [
          { text: '逐行读代码', link: '/00-book-code' },
          { text: '全流程', link: '/01-pipeline' },
          { text: '在线演示', link: '/11-live-demo' },
        ],
        sidebar: sidebar('zh'),
        outline: { label: '本页目录', level: [2, 3] },
        docFooter: { prev: '上一页', next: '下一页' },
        darkModeSwitchLabel: '深色模式',
        lightModeSwitchTitle: '切换到浅色模式',
        darkModeSwitchTitle: '切换到深色模式',
        sidebarMenuLabel: '目录',
        returnToTopLabel: '回到顶部',
        langMenuLabel: '语言',
        skipToContentLabel: '跳到正文',
        notFound: {
          title: '页面不存在',
          quote: '这个地址没有页面。可以从目录重新开始。',
          linkLabel: '回到首页',
          linkText: '回到首页',
        },
      },
    },
    en: {
      label: 'English',
      lang: 'en-US',
      link: '/en/',
      description: 'Understand d2l 8.5, “RNN from scratch”, line by line',
      themeConfig: {
        nav: [
          { text: 'The code, line by line', link: '/en/00-book-code' },
          { text: 'Pipeline', link: '/en/01-pipeline' },
          { text: 'Live demo', link: '/en/11-live-demo' },
        ],
        sidebar: sidebar('en'),
        outline: { level: [2, 3] },
      },
    },
  },
  themeConfig: {
    search: {
      provider: 'local',
      options: {
        locales: {
          root: {
            translations: {
              button: { buttonText: '搜索', buttonAriaLabel: '搜索文档' },
              modal: {
                displayDetails: '显示详细列表',
                resetButtonTitle: '清除查询',
                backButtonTitle: '关闭搜索',
                noResultsText: '没有找到结果',
                footer: {
                  selectText: '选择',
                  selectKeyAriaLabel: '回车',
                  navigateText: '切换',
                  navigateUpKeyAriaLabel: '上箭头',
                  navigateDownKeyAriaLabel: '下箭头',
                  closeText: '关闭',
                  closeKeyAriaLabel: 'Esc',
                },
              },
            },
          },
        },
      },
    },
  },
  vite: {
    resolve: { alias: { '@corpus': corpusDir } },
    plugins: [tfjsWasmFiles()],
    worker: { format: 'es' },
    build: { chunkSizeWarningLimit: 1200 },
  },
});
