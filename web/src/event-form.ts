/**
 * The event form's question rows: without script the form has a fixed number of rows and
 * an empty row means no question. With it, empty rows beyond the first are hidden behind
 * "Add a question", and each row has a "Remove" button that empties and hides it.
 */
const list = document.querySelector<HTMLElement>('[data-question-list]');

function clear(row: HTMLElement) {
  for (const el of row.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>('input, textarea, select')) {
    if (el instanceof HTMLInputElement && el.type === 'hidden') el.value = '';
    else if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = false;
    else if (el instanceof HTMLSelectElement) el.selectedIndex = 0;
    else el.value = '';
  }
}

if (list) {
  const rows = [...list.querySelectorAll<HTMLElement>('[data-question-row]')];
  const add = document.createElement('button');
  add.type = 'button';
  add.className = 'secondary';
  add.textContent = 'Add a question';
  const refresh = () => {
    add.hidden = !rows.some((r) => r.hidden);
  };
  rows.forEach((row, i) => {
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'secondary small';
    remove.textContent = `Remove question ${i + 1}`;
    remove.addEventListener('click', () => {
      clear(row);
      row.hidden = true;
      refresh();
      add.focus();
    });
    row.append(remove);
    // Keep the first empty row visible, so there is always a place to type one.
    if (row.hasAttribute('data-blank') && rows.slice(0, i).some((r) => r.hasAttribute('data-blank'))) row.hidden = true;
  });
  add.addEventListener('click', () => {
    const next = rows.find((r) => r.hidden);
    if (!next) return;
    next.hidden = false;
    next.querySelector<HTMLInputElement>('input:not([type=hidden])')?.focus();
    refresh();
  });
  list.after(add);
  refresh();
}
