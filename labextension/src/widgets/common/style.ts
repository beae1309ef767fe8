// The views' stylesheet, injected once per document by ensureStyle(). JupyterLab's --jp-*
// variables give light and dark themes; the fallbacks serve Notebook 7, VS Code and Colab.
// Rules that share declarations share one rule, so each look is written once.
//
// A size's rule colour is on its underline; the text keeps a colour that reads at 4.5:1 or more
// in light and dark themes (the theme's green, grey and dark-theme red do not). Narrow hosts
// (Notebook 7's ~311 px side panel, a thin output) get the same table, tighter (@container), so
// every dimension column stays in view without scrolling.
export const STYLE_TEXT = `
.mm-root {
  --mm-fg: var(--jp-ui-font-color1, #1f1f1f);
  --mm-fg-dim: var(--jp-ui-font-color2, #616161);
  --mm-bg: var(--jp-layout-color1, #fff);
  --mm-bg-alt: var(--jp-layout-color2, #eee);
  --mm-border: var(--jp-border-color2, #d0d0d0);
  --mm-accent: var(--jp-brand-color1, #1976d2);
  --mm-clash: var(--jp-error-color1, #d32f2f);
  /* Red text: the theme's red mixed with the text colour reads at 4.5:1 in light and dark
     themes (the dark theme's own red is 4.4:1 on its background). */
  --mm-clash-text: color-mix(in srgb, var(--mm-clash) 75%, var(--mm-fg));
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
.mm-root pre, .mm-mono, .mm-root .mm-shape-input, .mm-dim, .mm-cells, .mm-axis {
  font-family: var(--jp-code-font-family, ui-monospace, monospace);
}
.mm-root pre { background: var(--mm-bg-alt); padding: 6px 8px; border-radius: 3px; white-space: pre; overflow-x: auto; }
.mm-root pre, .mm-grid, .mm-legend, .mm-reason, .mm-error, .mm-row { margin: 4px 0; }
.mm-root input, .mm-root select, .mm-button {
  min-height: 24px;
  box-sizing: border-box;
  color: var(--mm-fg);
  background: var(--jp-input-background, var(--mm-bg));
  border: 1px solid var(--jp-input-border-color, var(--mm-border));
  border-radius: 3px;
  font: inherit;
  padding: 2px 6px;
}
.mm-root input[type='range'] { padding: 0; height: 24px; min-width: 96px; }
.mm-root summary { min-height: 24px; line-height: 24px; cursor: pointer; }
.mm-button { cursor: pointer; min-width: 2em; }
.mm-button:hover, .mm-cells td.mm-warm { background: var(--mm-bg-alt); }
.mm-button[aria-disabled='true'], .mm-button:disabled { opacity: 0.5; cursor: default; }
.mm-root :focus-visible { outline: 2px solid var(--mm-accent); outline-offset: 1px; }
.mm-root input[aria-invalid='true'] { border-color: var(--mm-clash); }
.mm-shape-input { width: 8em; }
.mm-grid, .mm-cells { border-collapse: collapse; }
.mm-grid th, .mm-grid td { padding: 2px 6px; }
.mm-grid th { font-weight: normal; text-align: right; }
.mm-grid th.mm-name, .mm-grid td.mm-name, .mm-strides th, .mm-strides td { text-align: left; }
.mm-dim { text-align: right; min-width: 3em; border-bottom: 3px solid transparent; }
.mm-grid th, .mm-rule-missing, .mm-legend, .mm-dim.mm-unread, .mm-cells td.mm-todo, .mm-caption { color: var(--mm-fg-dim); }
.mm-rule-equal, .mm-rule-clash { color: var(--mm-fg); }
.mm-rule-equal { border-bottom-color: var(--jp-success-color1, #388e3c); }
.mm-rule-stretched { color: var(--mm-accent); border-bottom-color: var(--mm-accent); font-style: italic; }
.mm-rule-missing { border-bottom: 3px dashed var(--jp-ui-font-color3, #9e9e9e); }
.mm-rule-clash { border-bottom-color: var(--mm-clash); }
.mm-rule-clash, .mm-result-row td, .mm-root summary, .mm-axis.mm-summed, .mm-axis.mm-axis-bad { font-weight: bold; }
.mm-result-row td { border-top: 1px solid var(--mm-border); }
.mm-legend, .mm-row, .mm-values { display: flex; flex-wrap: wrap; }
.mm-legend { gap: 12px; }
.mm-legend span { border-bottom-width: 3px; padding: 0 2px; }
.mm-legend span:not(.mm-rule-missing) { border-bottom-style: solid; }
.mm-error { color: var(--mm-clash-text); }
.mm-root details { margin-top: 6px; }
.mm-row { gap: 6px; align-items: center; }
.mm-values { gap: 16px; }
.mm-cells td { border: 1px solid var(--mm-border); padding: 2px 6px; text-align: right; min-width: 2.5em; }
.mm-cells td.mm-ghost { opacity: 0.4; border-style: dashed; }
.mm-cells td.mm-hot { background: var(--mm-accent); color: var(--jp-ui-inverse-font-color1, #fff); }
.mm-axis { display: inline-block; padding: 1px 6px; margin: 1px; border-radius: 3px; border: 1px solid var(--mm-border); }
.mm-axis.mm-summed, .mm-axis.mm-axis-bad { border-color: currentColor; border-width: 2px; }
/* The theme's orange is 2.7:1 on white: mixed with the text colour it reads at 4.5:1 or more in
   light and dark themes (darker on light, lighter on dark), still orange. */
.mm-axis.mm-summed { color: color-mix(in srgb, var(--jp-warn-color1, #f57c00) 60%, var(--mm-fg)); }
.mm-root pre .mm-current { font-weight: bold; background: var(--mm-bg); box-shadow: inset 3px 0 var(--mm-accent); }
.mm-grid th, .mm-strides td { white-space: nowrap; }
.mm-axis.mm-axis-bad { color: var(--mm-clash-text); border-style: dashed; }
.mm-caption { margin: 2px 0; }
.mm-shape-explorer { container-type: inline-size; }
.mm-shape-panel-side .mm-root { padding: 4px; }
@container (max-width: 460px) {
  .mm-grid th, .mm-grid td { padding: 2px; }
  .mm-shape-input { width: 4em; }
  .mm-dim { min-width: 1.5em; }
  .mm-legend { gap: 4px 8px; font-size: 0.9em; }
  .mm-grid th { font-size: 0.85em; }
  .mm-dim-word, .mm-remove > span { display: none; }
  .mm-remove { min-width: 24px; padding: 2px 4px; }
  .mm-grid td.mm-name { max-width: 7em; font-size: 0.9em; overflow-wrap: normal; word-break: normal; }
}
.mm-icon { width: 0.9em; height: 0.9em; vertical-align: -0.1em; fill: currentColor; }
`;
