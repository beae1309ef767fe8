// The views' stylesheet, injected once per document by ensureStyle(). JupyterLab's --jp-*
// variables give light and dark themes; the fallbacks serve Notebook 7, VS Code and Colab.
export const STYLE_TEXT = `
.mm-root {
  --mm-fg: var(--jp-ui-font-color1, #1f1f1f);
  --mm-fg-dim: var(--jp-ui-font-color2, #616161);
  --mm-bg: var(--jp-layout-color1, #ffffff);
  --mm-bg-alt: var(--jp-layout-color2, #eeeeee);
  --mm-border: var(--jp-border-color2, #d0d0d0);
  --mm-accent: var(--jp-brand-color1, #1976d2);
  --mm-equal: var(--jp-success-color1, #388e3c);
  --mm-stretch: var(--jp-brand-color1, #1976d2);
  --mm-missing: var(--jp-ui-font-color3, #9e9e9e);
  --mm-clash: var(--jp-error-color1, #d32f2f);
  --mm-summed: var(--jp-warn-color1, #f57c00);
  color: var(--mm-fg);
  background: var(--mm-bg);
  font-family: var(--jp-ui-font-family, system-ui, sans-serif);
  font-size: var(--jp-ui-font-size1, 13px);
  padding: 8px;
  border: 1px solid var(--mm-border);
  border-radius: 4px;
  max-width: 100%;
  overflow-x: auto;
}
.mm-root h3 { margin: 0 0 6px; font-size: 1.1em; }
.mm-root code, .mm-root pre, .mm-mono, .mm-root .mm-shape-input, .mm-dim, .mm-cells, .mm-axis {
  font-family: var(--jp-code-font-family, ui-monospace, monospace);
}
.mm-root pre {
  background: var(--mm-bg-alt); padding: 6px 8px; margin: 4px 0; border-radius: 3px;
  white-space: pre; overflow-x: auto;
}
.mm-root input, .mm-root select, .mm-button {
  color: var(--mm-fg);
  background: var(--jp-input-background, var(--mm-bg));
  border: 1px solid var(--jp-input-border-color, var(--mm-border));
  border-radius: 3px;
  font: inherit;
  padding: 2px 6px;
}
.mm-root input[type='range'] { padding: 0; }
.mm-button { cursor: pointer; min-width: 2em; }
.mm-button:hover { background: var(--mm-bg-alt); }
.mm-button[aria-disabled='true'], .mm-button:disabled { opacity: 0.5; cursor: default; }
.mm-root :focus-visible { outline: 2px solid var(--mm-accent); outline-offset: 1px; }
.mm-root input[aria-invalid='true'] { border-color: var(--mm-clash); }
.mm-shape-input { width: 8em; }
.mm-grid { border-collapse: collapse; margin: 4px 0; }
.mm-grid th, .mm-grid td { padding: 2px 6px; }
.mm-grid th { color: var(--mm-fg-dim); font-weight: normal; text-align: right; }
.mm-grid th.mm-name, .mm-grid td.mm-name { text-align: left; }
.mm-dim { text-align: right; min-width: 3em; border-bottom: 3px solid transparent; }
/* The rule's colour is on the underline; the text keeps a colour that reads at 4.5:1 or more
   in light and dark themes (the theme's green, grey and dark-theme red do not). */
.mm-rule-equal { color: var(--mm-fg); border-bottom-color: var(--mm-equal); }
.mm-rule-stretched { color: var(--mm-stretch); border-bottom-color: var(--mm-stretch); font-style: italic; }
.mm-rule-missing { color: var(--mm-fg-dim); border-bottom: 3px dashed var(--mm-missing); }
.mm-rule-clash { color: var(--mm-fg); border-bottom-color: var(--mm-clash); font-weight: bold; }
.mm-result-row td { border-top: 1px solid var(--mm-border); font-weight: bold; }
.mm-strides th, .mm-strides td { text-align: left; }
.mm-legend { display: flex; gap: 12px; flex-wrap: wrap; color: var(--mm-fg-dim); margin: 4px 0; }
.mm-legend span { border-bottom-width: 3px; padding: 0 2px; }
.mm-legend span:not(.mm-rule-missing) { border-bottom-style: solid; }
.mm-reason { margin: 4px 0; }
.mm-error { color: var(--mm-clash); margin: 4px 0; }
.mm-root details { margin-top: 6px; }
.mm-root summary { cursor: pointer; font-weight: bold; }
.mm-row { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin: 4px 0; }
.mm-values { display: flex; gap: 16px; flex-wrap: wrap; }
.mm-cells { border-collapse: collapse; }
.mm-cells td {
  border: 1px solid var(--mm-border); padding: 2px 6px; text-align: right; min-width: 2.5em;
}
.mm-cells td.mm-ghost { opacity: 0.4; border-style: dashed; }
.mm-cells td.mm-hot { background: var(--mm-accent); color: var(--jp-ui-inverse-font-color1, #fff); }
.mm-cells td.mm-warm { background: var(--mm-bg-alt); }
.mm-cells td.mm-todo { color: var(--mm-fg-dim); }
.mm-axis {
  display: inline-block; padding: 1px 6px; margin: 1px; border-radius: 3px; border: 1px solid var(--mm-border);
}
.mm-axis.mm-summed {
  border-color: var(--mm-summed); color: var(--mm-summed); font-weight: bold; border-width: 2px;
}
.mm-axis.mm-axis-bad {
  border-color: var(--mm-clash); color: var(--mm-clash); font-weight: bold; border-style: dashed; border-width: 2px;
}
.mm-dim.mm-unread { color: var(--mm-fg-dim); }
.mm-caption { color: var(--mm-fg-dim); margin: 2px 0; }
/* Narrow hosts (Notebook 7's ~311 px side panel, a thin output): the same table, tighter, so
   every dimension column stays in view without scrolling. */
.mm-shape-explorer { container-type: inline-size; }
.mm-shape-panel-side .mm-root { padding: 4px; }
@container (max-width: 460px) {
  .mm-grid th, .mm-grid td { padding: 2px 2px; }
  .mm-shape-input { width: 4.5em; }
  .mm-dim { min-width: 1.8em; }
  .mm-legend { gap: 4px 8px; font-size: 0.9em; }
  .mm-grid th { font-size: 0.85em; }
  .mm-grid td.mm-name { max-width: 7em; overflow-wrap: anywhere; }
}
.mm-icon { width: 0.9em; height: 0.9em; vertical-align: -0.1em; fill: currentColor; }
`;
