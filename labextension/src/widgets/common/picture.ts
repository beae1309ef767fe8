// Each widget shows a static picture of itself in the output just before its live view, for the
// places no widget manager draws it (an export opened offline, GitHub); see SummaryRepr in
// matmul_magic/widgets/_common.py. Where the live view is drawn, it hides that picture.

/** The output that holds a picture: JupyterLab's and nbconvert's output row, classic's area. */
const OUTPUT_ROW = '.jp-OutputArea-child, .output_area';

/**
 * Hides the pictures of the widget whose `_picture_id` is `id` (their class names it) in `el`'s
 * document: the whole output row where there is one (its prompt and padding too), else the
 * picture alone. An id that is not the widget's 32 hex digits hides nothing.
 */
export function hidePictures(el: HTMLElement, id: unknown): number {
  if (typeof id !== 'string' || !/^[0-9a-f]{32}$/.test(id)) return 0;
  const pictures = el.ownerDocument.querySelectorAll<HTMLElement>(`.mm-picture-${id}`);
  for (const picture of pictures) {
    const row = picture.closest<HTMLElement>(OUTPUT_ROW) ?? picture;
    // Only the picture's own row: never the row of the live view itself.
    (row.contains(el) ? picture : row).style.display = 'none';
  }
  return pictures.length;
}
