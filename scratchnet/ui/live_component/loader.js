// The component's own module, which Streamlit sends with every message of a run: kept tiny. The live view
// itself (the files live.py lists in JS_FILES, about 40 KB) comes once, in the payload of the page run that mounts it,
// and is imported from a blob URL (as Streamlit does with component code); later messages carry only frames.
let view = null;
export default async function (component) {
  const code = component.data && component.data.code;
  if (!view && code) {
    const src = code.js + '\n//# sourceURL=scratchnet-live.js';
    view = import(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
  }
  if (!view) {
    component.setTriggerValue('cmd', { op: 'hello' }); // mounted by a message without the code: ask for it
    return undefined;
  }
  const mod = await view;
  return mod.default(component);
}
