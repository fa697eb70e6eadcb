// Tables marked .stack-phone become stacked cards below phone width: each cell is labelled
// with its column heading (data-label, shown by the stylesheet), the row heading is the
// card's title. Without JavaScript the table stays a table that scrolls sideways.
(function () {
  "use strict";
  document.querySelectorAll("table.stack-phone").forEach(function (table) {
    const head = table.tHead && table.tHead.rows[0];
    if (!head) return;
    const labels = Array.from(head.cells).map(function (th) { return th.textContent.trim(); });
    Array.from(table.tBodies).forEach(function (body) {
      Array.from(body.rows).forEach(function (row) {
        Array.from(row.cells).forEach(function (cell, i) {
          if (labels[i] && !cell.dataset.label) cell.dataset.label = labels[i];
        });
      });
    });
    table.classList.add("stacked");
  });
})();
