// What a bench output must hold at any width (issue 23, item 1), checked in the page: returns
// a list of problems, empty when the output reads. `root` is one bench output (the lab
// renderer or the HTML fallback).
(root) => {
  const problems = [];
  const describe = (node) => (node.textContent || '').trim().slice(0, 40);

  // The part of the page a node can show in: the viewport, cut by every scrolling ancestor.
  const clip = (node) => {
    let left = 0;
    let right = window.innerWidth;
    for (let p = node.parentElement; p; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') {
        const box = p.getBoundingClientRect();
        left = Math.max(left, box.left);
        right = Math.min(right, box.right);
      }
    }
    return [left, right];
  };

  // Names: a line may end after `_`, `-`, a space or other punctuation, never between two
  // letters or digits (`elemen|twise`).
  for (const cell of root.querySelectorAll('td.mm-bench-name, td[data-column="name"]')) {
    const chars = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      for (let i = 0; i < text.data.length; i++) {
        const range = document.createRange();
        range.setStart(text, i);
        range.setEnd(text, i + 1);
        const rect = range.getClientRects()[0];
        if (rect) chars.push([text.data[i], rect.top]);
      }
    }
    for (let i = 1; i < chars.length; i++) {
      const newLine = chars[i][1] > chars[i - 1][1] + 2;
      const word = /[\p{L}\p{N}]/u;
      if (newLine && word.test(chars[i - 1][0]) && word.test(chars[i][0])) {
        problems.push(`name broken inside a word: ${describe(cell)} before "${chars[i][0]}"`);
      }
    }
  }

  // Status: every row's status cell on screen, not scrolled or clipped away.
  for (const cell of root.querySelectorAll('td.mm-bench-status, td[data-column="status"]')) {
    const box = cell.getBoundingClientRect();
    const [left, right] = clip(cell);
    if (box.width === 0 || box.left < left - 1 || box.right > right + 1) {
      problems.push(`status not visible: ${describe(cell)} at ${Math.round(box.left)}–${Math.round(box.right)} in ${Math.round(left)}–${Math.round(right)}`);
    }
  }

  // Controls: the chart buttons (metric, scale) on screen, not off the output's edge; the
  // table's column headers scroll with their columns.
  for (const button of [...root.querySelectorAll('button')].filter((b) => !b.closest('th'))) {
    const box = button.getBoundingClientRect();
    const [left, right] = clip(button);
    if (box.width > 0 && (box.left < left - 1 || box.right > right + 1)) {
      problems.push(`control not visible: ${describe(button)}`);
    }
  }

  for (const chart of root.querySelectorAll('svg')) {
    const frame = chart.getBoundingClientRect();
    const viewBox = chart.viewBox && chart.viewBox.baseVal;
    const scale = viewBox && viewBox.width ? frame.width / viewBox.width : 1;
    const texts = [...chart.querySelectorAll('text')].filter((t) => (t.textContent || '').trim());
    const boxes = texts.map((t) => t.getBoundingClientRect());
    texts.forEach((text, i) => {
      // Chart text: 10 px or more on screen.
      const size = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (size < 9.95) problems.push(`chart text ${size.toFixed(1)} px: ${describe(text)}`);
      // Nothing cut by the chart's edge (`10,000,000×` printed as `0,000,000×`).
      const b = boxes[i];
      if (b.left < frame.left - 1 || b.right > frame.right + 1 || b.top < frame.top - 1 || b.bottom > frame.bottom + 1) {
        problems.push(`chart text clipped: ${describe(text)}`);
      }
    });
    // No label drawn over another (the rotated axis title over the tick labels).
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
        if (overlap) problems.push(`chart labels overlap: "${describe(texts[i])}" and "${describe(texts[j])}"`);
      }
    }
  }
  return problems;
}
