import { defineConfig } from 'vitepress';

export default defineConfig({ title: 'rnn-scratch', ignoreDeadLinks: false });
