// A text to copy (a link, a key) and its Copy button. Students open the app at http://<teacher's address>:8501, which
// is not a secure context: the Clipboard API is missing there, so the copy falls back to the browser's copy command on
// a selected text, and the box says whether it worked; if neither can, the text is left selected for Ctrl+C.
const SAID = new Map(); // text -> what its box last said: a rerun that draws the box anew keeps it

export default function ({ parentElement, data }) {
  let box = parentElement.querySelector('.sn-copy');
  if (!box) {
    box = document.createElement('div');
    box.className = 'sn-copy';
    box.dataset.testid = 'sn-copy';
    box.innerHTML = '<code class="sn-copy-text"></code><div class="sn-copy-row"><button type="button" '
      + 'class="sn-copy-btn"></button><span class="sn-copy-said" role="status" aria-live="polite"></span></div>';
    box.querySelector('button').addEventListener('click', () => copy(box));
    parentElement.appendChild(box);
  }
  const said = box.querySelector('.sn-copy-said'), now = SAID.get(data.text) || '';
  if (said.textContent !== now) said.textContent = now; // a live region: set only when it changes
  box.dataset.text = data.text;
  box.querySelector('code').textContent = data.text;
  const button = box.querySelector('button');
  button.textContent = '📋 ' + data.label;
  button.setAttribute('aria-label', data.label); // not "clipboard Copy link"
}

function copyCommand(text) {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.cssText = 'position:fixed;top:0;left:0;opacity:0;';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
  area.remove();
  return ok;
}

async function copy(box) {
  const text = box.dataset.text, said = box.querySelector('.sn-copy-said');
  // the command first: it needs the click's own task, which an await would leave
  let ok = copyCommand(text);
  if (!ok && window.isSecureContext && navigator.clipboard) {
    try { await navigator.clipboard.writeText(text); ok = true; } catch (e) { ok = false; }
  }
  if (!ok) window.getSelection().selectAllChildren(box.querySelector('code'));
  said.textContent = ok ? 'Copied ✓' : 'Selected: press Ctrl+C (⌘C on a Mac) to copy';
  SAID.set(text, said.textContent);
}
