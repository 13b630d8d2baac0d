// Measured speeds and full-size results, read from the repository's BENCHMARKS.md (written by `npm run bench`
// and `npm run bench:book`), so the docs never type a measured number by hand: the backends page shows the
// newest `npm run bench` table and GPU table, the training page the newest book runs. When BENCHMARKS.md
// gets a newer entry, the generator test asks for `npm run gen`.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { LANGS, tr } from './figures/svg.ts';
import { repoRoot } from './paths.ts';

interface Section {
  readonly heading: string;
  readonly body: string;
}

function sections(): Section[] {
  const text = readFileSync(join(repoRoot, 'BENCHMARKS.md'), 'utf8');
  return text
    .split(/\n(?=## )/)
    .filter((s) => s.startsWith('## '))
    .map((s) => ({ heading: s.split('\n')[0].slice(3).trim(), body: s }));
}

/** The rows of the first markdown table in a section, as objects keyed by the header cells. */
function table(section: Section): Record<string, string>[] {
  const lines = section.body.split('\n').filter((l) => l.startsWith('|'));
  if (lines.length < 3) throw new Error(`BENCHMARKS.md: no table under '${section.heading}'`);
  const cells = (l: string) =>
    l
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
  const head = cells(lines[0]);
  return lines.slice(2).map((l) => Object.fromEntries(cells(l).map((c, i) => [head[i], c])));
}

const bullet = (section: Section, key: string): string => {
  const m = new RegExp(`^- ${key}: (.*)$`, 'm').exec(section.body);
  if (!m) throw new Error(`BENCHMARKS.md: no '- ${key}:' under '${section.heading}'`);
  return m[1];
};

const col = (row: Record<string, string>, name: string): string => {
  const key = Object.keys(row).find((k) => k.startsWith(name));
  if (key === undefined) throw new Error(`BENCHMARKS.md: no column '${name}' in ${Object.keys(row).join(', ')}`);
  return row[key];
};

/** The newest section whose heading matches (BENCHMARKS.md is "newest last"). */
function newest(pred: (s: Section) => boolean, what: string): Section {
  const found = sections().filter(pred);
  if (found.length === 0) throw new Error(`BENCHMARKS.md: no ${what} section`);
  return found[found.length - 1];
}

/** The rows of `npm run bench:queue`'s table, in Chinese. */
const QUEUE_ROWS_ZH: ReadonlyArray<readonly [prefix: string, zh: string]> = [
  ['pickup', '接手：从可以开始到被 worker 接手'],
  ['on the worker', 'worker 上训练以外的时间（取文件和检查点、启动、存储、报告）'],
  ['result transfer', '结果传回：从 worker 报告到写进扫描文件夹'],
  ['queue overhead in all', '队列开销合计'],
  ['per sweep: its start', '每个扫描：从启动到第一次入队（连接）'],
  ['per sweep: its last', '每个扫描：从写完最后一个结果到退出'],
  ["the run's own time on a worker", '运行本身在 worker 上的时间（train 进程）'],
  ["the run's own time in the local", '运行本身在本地扫描中的时间'],
  ['checkpoint transferred', '传送的检查点（params.safetensors + checkpoint.json）'],
  ['sweep wall time, local', '扫描总时间，本地'],
  ['sweep wall time, queue', '扫描总时间，经由队列'],
];

/** Page 15: the newest `npm run bench:queue` table, and when and where it was measured. */
function queueBenchmark(): Record<string, string> {
  const queue = newest((s) => s.heading.startsWith('Queue,'), 'npm run bench:queue');
  const rows = table(queue);
  const head = Object.keys(rows[0])[0];
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    const t = (zh: string, en: string) => tr(lang, zh, en);
    const label = (row: Record<string, string>) => {
      const what = Object.values(row)[0];
      if (lang === 'en') return what;
      const zh = QUEUE_ROWS_ZH.find(([prefix]) => what.startsWith(prefix));
      if (!zh) throw new Error(`BENCHMARKS.md: no Chinese label for the queue row '${what}'`);
      return `${zh[1]}${/--jobs (\d+)/.exec(what) ? `（--jobs ${/--jobs (\d+)/.exec(what)![1]}）` : ''}${/with (\d+) workers/.exec(what) ? `（${/with (\d+) workers/.exec(what)![1]} 个 worker）` : ''}`;
    };
    const lines = [
      t(
        `${queue.heading.replace(/^Queue, /, '')}，机器（原文）：\`${bullet(queue, 'machine')}\`。`,
        `${queue.heading.replace(/^Queue, /, '')}; machine: ${bullet(queue, 'machine')}.`,
      ),
      '',
      `| ${lang === 'en' ? head : head.replace(/^per run \((\d+) queued runs, (\d+) local\)$/, '每次运行（$1 次经由队列，$2 次本地）')} | ${t('中位数', 'median')} | ${t('最小–最大', 'min–max')} |`,
      '|---|---|---|',
      ...rows.map((row) => `| ${label(row)} | ${col(row, 'median')} | ${col(row, 'min-max')} |`),
      '',
      t(
        `原文的结论：\`${bullet(queue, 'queue overhead per run')}\``,
        `In short: queue overhead per run: ${bullet(queue, 'queue overhead per run')}.`,
      ),
    ];
    out[`bench-queue.${lang}.md`] = `${lines.join('\n')}\n`;
  }
  return out;
}

export function benchmarks(): Record<string, string> {
  const cpu = newest(
    (s) => /^\d{4}-\d{2}-\d{2} /.test(s.heading) && s.body.includes('`npm run bench`'),
    'npm run bench',
  );
  const gpu = newest((s) => s.heading.startsWith('GPU,'), 'GPU');
  const book = newest((s) => s.heading.startsWith('Book runs,'), 'book runs');
  const cpuRows = table(cpu);
  const gpuRows = table(gpu);
  const bookRows = table(book);
  const sizes = [...new Set(cpuRows.map((r) => col(r, 'H')))];
  const engines = [...new Set(cpuRows.map((r) => col(r, 'engine')))];
  const gpuSizes = [...new Set(gpuRows.map((r) => col(r, 'H')))];
  const prose = book.body.replace(/\s+/g, ' ');
  const torchPaper =
    /PyTorch implementation of the spec gave ([\d.]+) \/ ([\d.]+) \(sequential\) and ([\d.]+) \(book-random\)/.exec(
      prose,
    );
  if (!torchPaper) throw new Error('BENCHMARKS.md: the book runs no longer quote the PyTorch re-implementation');
  const printedByBook = /The book printed ([\d.]+) \(sequential\) and ([\d.]+) \(its "random" run\)/.exec(prose);
  if (!printedByBook) throw new Error("BENCHMARKS.md: the book runs no longer quote the book's printed perplexities");
  const BOOK_PRINTED: Record<string, string> = { sequential: printedByBook[1], 'book-random': printedByBook[2] };
  const walls = bookRows.map((r) => Number(col(r, 'wall s')));

  const out: Record<string, string> = { ...queueBenchmark() };
  for (const lang of LANGS) {
    const t = (zh: string, en: string) => tr(lang, zh, en);
    // 'pytorch (OpenBLAS Zen)': the BLAS kernel it ran with.
    const kernel = (e: string, sep: string) => {
      const named = /\((.*)\)/.exec(e)?.[1];
      return named === undefined ? '' : `${sep}${named}`;
    };
    const engineName = (e: string) =>
      e.startsWith('pytorch')
        ? t(`PyTorch 即时执行（基线${kernel(e, '，')}）`, `PyTorch eager (baseline${kernel(e, ', ')})`)
        : e.replace(
            /^(\S+)(.*)$/,
            (_, id: string, rest: string) => `\`${id}\`${rest.replace(/ \(--workers \d+\)$/, '')}`,
          );
    // CPU: one row per engine, one column per size: tokens/s (ratio to PyTorch).
    const lines = [
      t(
        `**CPU**：${cpu.heading}，\`npm run bench\`，每个引擎取它最快的线程数，3 次运行取中位数；数字是 train_ch8 的最后一轮每秒词元数，括号里是与 PyTorch 之比。机器（原文）：\`${bullet(cpu, 'machine')}\`。`,
        `**CPU**: ${cpu.heading}, \`npm run bench\`, each engine at its fastest thread count, median of 3 runs; train_ch8's tokens/s of the last epoch, in brackets the ratio to PyTorch. Machine: ${bullet(cpu, 'machine')}.`,
      ),
      '',
      `| ${t('引擎', 'engine')} | ${sizes.map((h) => `H = ${h}${h === '512' ? t('（书中）', ' (book)') : ''}`).join(' | ')} |`,
      `|---|${sizes.map(() => '---').join('|')}|`,
      ...engines.map((e) => {
        const cells = sizes.map((h) => {
          const row = cpuRows.find((r) => col(r, 'engine') === e && col(r, 'H') === h);
          if (!row) return '–';
          const ratio = col(row, 'ratio');
          return e === 'pytorch'
            ? col(row, 'tokens/s')
            : `${col(row, 'tokens/s')}${t(`（${ratio}×）`, ` (${ratio}×)`)}`;
        });
        return `| ${engineName(e)} | ${cells.join(' | ')} |`;
      }),
      '',
      t(
        `**GPU**：${gpu.heading.replace(/^GPU, /, '').replace(/ \((.*)\)$/, '，机器（原文）：`$1`')}。括号里是与 PyTorch CUDA 之比。`,
        `**GPU**: ${gpu.heading.replace(/^GPU, /, '')}. In brackets the ratio to PyTorch CUDA.`,
      ),
      '',
      `| ${t('引擎', 'engine')} | ${gpuSizes.map((h) => `H = ${h}`).join(' | ')} |`,
      `|---|${gpuSizes.map(() => '---').join('|')}|`,
      ...[...new Set(gpuRows.map((r) => col(r, 'engine')))].map((e) => {
        const cells = gpuSizes.map((h) => {
          const row = gpuRows.find((r) => col(r, 'engine') === e && col(r, 'H') === h);
          if (!row) return '–';
          const ratio = col(row, 'ratio');
          return ratio === '1.00'
            ? col(row, 'tokens/s')
            : `${col(row, 'tokens/s')}${t(`（${ratio}×）`, ` (${ratio}×)`)}`;
        });
        return `| ${e.startsWith('PyTorch') ? e : `\`${e.replace(/ \(.*\)$/, '')}\`${e.includes('(') ? ` ${e.replace(/^[^(]*/, '')}` : ''}`} | ${cells.join(' | ')} |`;
      }),
      '',
      t(
        `书中完整的训练（H = 512，500 轮，\`onnx:cpu\`）在 2 核机器上每次用了 ${Math.min(...walls).toFixed(0)}–${Math.max(...walls).toFixed(0)} 秒（${book.heading.replace(/^Book runs, /, '')}，\`npm run bench:book\`）。`,
        `The book's full training (H = 512, 500 epochs, \`onnx:cpu\`) took ${Math.min(...walls).toFixed(0)}–${Math.max(...walls).toFixed(0)} s per run on the 2-core machine (${book.heading.replace(/^Book runs, /, '')}, \`npm run bench:book\`).`,
      ),
    ];
    out[`bench-speed.${lang}.md`] = `${lines.join('\n')}\n`;

    // The book's full-size runs: the book's printed perplexity, ours (two seeds) and the PyTorch re-implementation.
    const ours = (sampler: string) =>
      bookRows
        .filter((r) => col(r, 'sampling') === sampler)
        .map((r) => `${col(r, 'final ppl')}${t(`（种子 ${col(r, 'seed')}）`, ` (seed ${col(r, 'seed')})`)}`)
        .join(t('，', ', '));
    const torch: Record<string, string> = {
      sequential: `${torchPaper[1]} / ${torchPaper[2]}`,
      'book-random': torchPaper[3],
      random: '–',
    };
    const printed = (s: string) => BOOK_PRINTED[s] ?? t('书中未运行', 'not run in the book');
    const runs = [
      `| ${t('运行', 'run')} | ${t('书中打印的困惑度', 'printed in the book')} | ${t('本项目（`onnx:cpu`，500 轮）', 'this project (`onnx:cpu`, 500 epochs)')} | ${t('独立的 PyTorch 复现', 'an independent PyTorch re-implementation')} |`,
      '|---|---|---|---|',
      ...['sequential', 'book-random', 'random'].map((s) => `| \`${s}\` | ${printed(s)} | ${ours(s)} | ${torch[s]} |`),
      '',
      t(
        `本项目的两列来自仓库根目录 \`BENCHMARKS.md\` 的“${book.heading}”一节（\`npm run bench:book\`），PyTorch 复现的数字也记在那里。每次训练后的贪心预测（前缀 \`time traveller\`）：`,
        `Our columns come from the “${book.heading}” section of \`BENCHMARKS.md\` at the repository root (\`npm run bench:book\`), which also records the PyTorch re-implementation's numbers. The greedy prediction after each run (prefix \`time traveller\`):`,
      ),
      '',
      ...bookRows.map(
        (r) =>
          `- \`${col(r, 'sampling')}\`${t(`，种子 ${col(r, 'seed')}：`, `, seed ${col(r, 'seed')}: `)}${col(r, 'greedy')}`,
      ),
    ];
    out[`book-runs.${lang}.md`] = `${runs.join('\n')}\n`;
  }
  return out;
}
