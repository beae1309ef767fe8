// The bench palette as CSS custom properties on the view's root, from presentation.json's one
// table (the HTML fallback's inline styles come from the same table): style/base.css only
// refers to --mm-accent, --mm-series-3, --mm-kind-user and so on, and never defines them.
import { colour, type ColourName, kindColour, seriesColour } from './format';
import { PRESENTATION } from '../generated/presentation';

const NAMES: ColourName[] = ['accent', 'ok', 'warn', 'error'];

/** `[custom property, CSS value]` for every palette colour. */
export function paletteProperties(): [string, string][] {
  const kinds = Object.keys(PRESENTATION.colours.kinds) as (keyof typeof PRESENTATION.colours.kinds)[];
  return [
    ...NAMES.map((name): [string, string] => [`--mm-${name}`, colour(name)]),
    ...PRESENTATION.colours.series.map((_, i): [string, string] => [`--mm-series-${i}`, seriesColour(i)]),
    ...kinds.map((kind): [string, string] => [`--mm-kind-${kind}`, kindColour(kind)])
  ];
}

export function applyPalette(node: HTMLElement): void {
  for (const [property, value] of paletteProperties()) node.style.setProperty(property, value);
}
