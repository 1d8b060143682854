// The panel's channel: an empty element outside the view's own fragment. Play, Pause, Step, Reset and the end
// of a run go through it (live.js, sendPending), so they rerun the whole panel (the look-back slider, the
// downloads and the messages under the view change with them); requests for frames rerun only the view.
export default function (component) {
  const { data, setTriggerValue } = component;
  if (data && data.page) (window.__snPanel || (window.__snPanel = {}))[data.page] = setTriggerValue;
}
