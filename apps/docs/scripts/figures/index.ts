// Every figure of the docs, in both languages: `fig-<id>.<lang>.svg` in generated/, included by the pages.
// Each module computes its figure from the real code (core on the reference backend).

import { clipBallFigure, clipNormsFigure } from './clipping.ts';
import { partitioningFigure } from './partitioning.ts';
import { pipelineFigure } from './pipeline.ts';
import { greedyFigure } from './greedy.ts';
import { minibatchFigure } from './minibatch.ts';
import { unrolledFigure } from './unrolled.ts';
import { batchSizeFigure, samplerFigures, wrongLabelsFigure } from './training.ts';

export async function figures(): Promise<Record<string, string>> {
  return {
    ...pipelineFigure(),
    ...unrolledFigure(),
    ...minibatchFigure(),
    ...partitioningFigure(),
    ...(await wrongLabelsFigure()),
    ...(await greedyFigure()),
    ...(await clipBallFigure()),
    ...(await clipNormsFigure()),
    ...(await samplerFigures()),
    ...(await batchSizeFigure()),
  };
}
