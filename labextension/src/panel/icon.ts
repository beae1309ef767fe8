// The Shape Explorer's icon: two operand bars right-aligned over a result bar, as the panel draws
// broadcasting. Kept in its own tiny module because the palette and launcher need it at start-up.
import { LabIcon } from '@jupyterlab/ui-components';

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <rect x="9" y="3" width="12" height="4" rx="1"/>
    <rect x="15" y="9" width="6" height="4" rx="1"/>
    <rect x="3" y="17" width="18" height="4" rx="1"/>
  </g>
</svg>`;

export const shapesIcon = new LabIcon({ name: 'matmul-magic:shapes', svgstr: SVG });
