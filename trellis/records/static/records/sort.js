// Sortable tables: each column heading of a table[data-sortable] becomes a button that
// sorts the rows by the cells' data-value (numbers or text), toggling ascending and
// descending; aria-sort tells screen readers. Without JavaScript the table stays as the
// server ordered it.
(function () {
  "use strict";
  function key(cell, numeric) {
    const raw = cell ? (cell.dataset.value ?? cell.textContent.trim()) : "";
    return numeric ? parseFloat(raw) || 0 : raw.toLocaleLowerCase();
  }
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    const heads = Array.from(table.tHead.rows[0].cells);
    const body = table.tBodies[0];
    document.documentElement.classList.add("js-sortable");
    heads.forEach(function (th, index) {
      if (!th.dataset.sort) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        const numeric = th.dataset.sort === "number";
        const dir = button.dataset.dir === "asc" ? "desc" : "asc";
        heads.forEach(function (other) {
          other.removeAttribute("aria-sort");
          const b = other.querySelector(".sort-button");
          if (b) delete b.dataset.dir;
        });
        button.dataset.dir = dir;
        th.setAttribute("aria-sort", dir === "asc" ? "ascending" : "descending");
        const rows = Array.from(body.rows);
        rows.sort(function (a, b) {
          const x = key(a.cells[index], numeric);
          const y = key(b.cells[index], numeric);
          const order = x < y ? -1 : x > y ? 1 : 0;
          return dir === "asc" ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
