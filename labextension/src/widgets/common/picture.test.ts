// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';

import { hidePictures } from './picture';
import { h } from './dom';

const ID = '0123456789abcdef0123456789abcdef';

afterEach(() => document.body.replaceChildren());

/** Two output rows as JupyterLab and nbconvert draw them: the picture's, then the widget's. */
function outputs(pictureClass: string) {
  const pictureRow = h('div.jp-OutputArea-child', {}, [h('div', { class: pictureClass, text: 'picture' })]);
  const el = h('div');
  const widgetRow = h('div.jp-OutputArea-child', {}, [el]);
  document.body.append(pictureRow, widgetRow);
  return { pictureRow, widgetRow, el };
}

describe('the live view hides its static picture', () => {
  it("hides the picture's whole output row, never its own", () => {
    const { pictureRow, widgetRow, el } = outputs(`mm-picture mm-picture-${ID}`);
    expect(hidePictures(el, ID)).toBe(1);
    expect(pictureRow.style.display).toBe('none');
    expect(widgetRow.style.display).toBe('');
  });

  it("leaves other widgets' pictures and odd ids alone", () => {
    const { pictureRow, el } = outputs('mm-picture mm-picture-ffffffffffffffffffffffffffffffff');
    expect(hidePictures(el, ID)).toBe(0);
    expect(hidePictures(el, '*')).toBe(0);
    expect(hidePictures(el, undefined)).toBe(0);
    expect(pictureRow.style.display).toBe('');
  });

  it('hides a picture outside any output row by itself', () => {
    const picture = document.body.appendChild(h('div', { class: `mm-picture-${ID}` }));
    const el = document.body.appendChild(h('div'));
    hidePictures(el, ID);
    expect(picture.style.display).toBe('none');
  });
});
