// The map grid, enhanced: arrow keys move between cells as in a spreadsheet, a focused
// cell has its letters selected so typing replaces them, and a cell's colour follows what
// is typed. Without this file the grid is an ordinary form and still works.
(function () {
  "use strict";

  var table = document.querySelector("table[data-grid]");
  if (!table || !table.tBodies.length) {
    return;
  }
  var body = table.tBodies[0];
  var LETTERS = /^[IRA\s,;/+.-]*$/;

  function cellsOf(row) {
    return row ? row.querySelectorAll("input.cur-cell") : [];
  }

  function at(rowIndex, colIndex) {
    if (rowIndex < 0 || rowIndex >= body.rows.length) {
      return null;
    }
    var cells = cellsOf(body.rows[rowIndex]);
    return colIndex >= 0 && colIndex < cells.length ? cells[colIndex] : null;
  }

  function position(input) {
    var row = input.closest("tr");
    var col = Array.prototype.indexOf.call(cellsOf(row), input);
    return { row: row.sectionRowIndex, col: col };
  }

  function wholeOrAt(input, edge) {
    var start = input.selectionStart;
    var end = input.selectionEnd;
    var len = input.value.length;
    if (start === 0 && end === len) {
      return true; // everything selected: arrows move, as after focusing a cell
    }
    return start === end && start === (edge === "start" ? 0 : len);
  }

  body.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("cur-cell")) {
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    var here = position(input);
    var next = null;
    if (event.key === "ArrowUp") {
      next = at(here.row - 1, here.col);
    } else if (event.key === "ArrowDown") {
      next = at(here.row + 1, here.col);
    } else if (event.key === "ArrowLeft" && wholeOrAt(input, "start")) {
      next = at(here.row, here.col - 1);
    } else if (event.key === "ArrowRight" && wholeOrAt(input, "end")) {
      next = at(here.row, here.col + 1);
    } else {
      return;
    }
    event.preventDefault();
    if (next) {
      next.focus();
      next.select();
    }
  });

  body.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.classList.contains("cur-cell")) {
      input.select();
    }
  });

  function strongest(value) {
    var v = value.toUpperCase();
    if (!LETTERS.test(v)) {
      return "";
    }
    if (v.indexOf("A") >= 0) {
      return "a";
    }
    if (v.indexOf("R") >= 0) {
      return "r";
    }
    return v.indexOf("I") >= 0 ? "i" : "";
  }

  body.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("cur-cell")) {
      return;
    }
    var cell = input.closest("td");
    cell.classList.remove("heat--i", "heat--r", "heat--a");
    var heat = strongest(input.value);
    if (heat) {
      cell.classList.add("heat--" + heat);
    }
  });
})();
