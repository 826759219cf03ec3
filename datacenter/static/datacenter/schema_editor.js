// The schema editor (a Django formset): add, remove and reorder rows, and show an enumeration's values
// only for enumerations. Without JavaScript the same form works: an empty last row to add a field,
// order numbers to reorder, a Remove box to drop one.
const editor = document.querySelector("[data-schema-editor]");

if (editor) {
  const prefix = editor.dataset.prefix;
  const max = Number(editor.dataset.max || "1000");
  const total = editor.querySelector(`#id_${prefix}-TOTAL_FORMS`);
  const body = editor.querySelector("[data-schema-rows]");
  const template = editor.querySelector("#schema-row-template");
  const addButton = editor.querySelector("[data-schema-add]");

  const field = (row, name) => row.querySelector(`[name$="-${name}"]`);
  const visibleRows = () => Array.from(body.querySelectorAll("[data-schema-row]")).filter((row) => !row.hidden);

  function enhance(root) {
    root.querySelectorAll("[data-js-only]").forEach((el) => { el.hidden = false; });
    root.querySelectorAll("[data-no-js-only]").forEach((el) => { el.hidden = true; });
  }

  function showValues(row) {
    const type = field(row, "type");
    const values = row.querySelector("[data-enum-values]");
    if (type && values) {
      values.hidden = type.value !== "enum";
    }
  }

  function renumber() {
    visibleRows().forEach((row, index) => {
      const order = field(row, "ORDER");
      if (order) {
        order.value = String(index + 1);
      }
    });
  }

  function isBlank(row) {
    return ["name", "label", "choices"].every((name) => !field(row, name) || field(row, name).value.trim() === "")
      && !field(row, "required").checked && !field(row, "in_key").checked && field(row, "type").value === "text"
      && field(row, "maps_to").value === "";
  }

  function addRow() {
    const index = Number(total.value);
    if (index >= max) {
      return;
    }
    body.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__prefix__", String(index)));
    total.value = String(index + 1);
    const row = body.lastElementChild;
    enhance(row);
    showValues(row);
    renumber();
    field(row, "name").focus();
  }

  function removeRow(row) {
    const remove = field(row, "DELETE");
    if (remove) {
      remove.checked = true;
    }
    row.hidden = true;
    renumber();
  }

  function moveRow(row, direction) {
    const rows = visibleRows();
    const index = rows.indexOf(row);
    const other = rows[index + (direction === "up" ? -1 : 1)];
    if (!other) {
      return;
    }
    if (direction === "up") {
      other.before(row);
    } else {
      other.after(row);
    }
    renumber();
    row.querySelector(`[data-move="${direction}"]`).focus();
  }

  enhance(editor);
  body.querySelectorAll("[data-schema-row]").forEach((row) => {
    const remove = field(row, "DELETE");
    if (remove && remove.checked) {
      row.hidden = true;
    }
    showValues(row);
  });
  renumber();

  addButton.addEventListener("click", addRow);
  body.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    const row = button && button.closest("[data-schema-row]");
    if (!row) {
      return;
    }
    if (button.hasAttribute("data-remove")) {
      removeRow(row);
    } else if (button.dataset.move) {
      moveRow(row, button.dataset.move);
    }
  });
  body.addEventListener("change", (event) => {
    const row = event.target.closest("[data-schema-row]");
    if (row && event.target.name && event.target.name.endsWith("-type")) {
      showValues(row);
    }
  });
  // An untouched empty row is left out, as without JavaScript: no order number makes it "changed".
  editor.closest("form").addEventListener("submit", () => {
    visibleRows().forEach((row) => {
      if (isBlank(row)) {
        field(row, "ORDER").value = "";
      }
    });
  });
}
