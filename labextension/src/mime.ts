// The MIME renderer for `application/vnd.matmul-magic.bench+json`. This module is all that loads
// at JupyterLab start-up; the view (validator, charts, table) is fetched on the first bench output.
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import type { ViewState } from './bench_result/view';
// Generated from schema.json; only the constants, so start-up loads no validator.
import { BENCH_MIME_TYPE } from './generated/bench_contract';

/** One bench output in a notebook or console; re-renders keep the user's chosen view. */
export class BenchOutput extends Widget implements IRenderMime.IRenderer {
  private viewState: ViewState | undefined;

  constructor(private readonly mimeType: string) {
    super();
    this.addClass('mm-bench-output');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[this.mimeType];
    const { renderBench, DEFAULT_STATE } = await import('./bench_result/view');
    const text = model.data['text/plain'];
    const onState = (state: ViewState) => (this.viewState = state);
    renderBench(this.node, data, this.viewState ?? DEFAULT_STATE, onState, typeof text === 'string' ? text : undefined);
  }
}

export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [BENCH_MIME_TYPE],
  defaultRank: 0,
  createRenderer: (options) => new BenchOutput(options.mimeType)
};

const extension: IRenderMime.IExtension = {
  id: 'matmul-magic:bench-renderer',
  description: 'Renders matmul-magic bench results: sortable table, bar and sweep charts.',
  rendererFactory,
  rank: 0,
  dataType: 'json'
};

export default extension;
