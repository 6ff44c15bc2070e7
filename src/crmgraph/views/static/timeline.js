// The EU–Central Asia timeline (/views/timeline): vis-timeline over the page's JSON data.
// One lane per Central Asian party; an item per instrument, step and date, coloured by the instrument's
// status; a click scrolls to the step's row in the table twin. Text goes in through textContent only.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('timeline-data').textContent);
  // one row per instrument (its Central Asian party above its name), rows ordered by party, then by first step
  const laneOrder = new Map(data.lanes.map((lane, n) => [lane, n]));
  const firstStep = new Map();
  for (const item of data.items) {
    if (!firstStep.has(item.instrument) || item.start < firstStep.get(item.instrument).start) firstStep.set(item.instrument, item);
  }
  const rows = [...firstStep.values()].sort((a, b) =>
    (laneOrder.get(a.lane) - laneOrder.get(b.lane)) || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const groups = new vis.DataSet(rows.map((item, n) => {
    const label = document.createElement('div');
    const party = document.createElement('span');
    party.className = 'lane';
    party.textContent = item.lane;
    const name = document.createElement('div');
    name.textContent = item.label;
    label.append(party, name);
    return {id: item.instrument, content: label, order: n, className: 'lane-' + laneOrder.get(item.lane) % 2};
  }));
  const items = new vis.DataSet(data.items.map(item => {
    const box = document.createElement('span');
    box.textContent = item.step.replace(/ (on|from)$/, '') + ' ' + item.date;
    const tip = document.createElement('div');
    tip.textContent = item.date + ' — ' + item.label + ', ' + item.step + ' (' + item.statuses.join(', ') + '; '
      + item.references.map(r => (r.short || r.title || r.key) + (r.locator ? ', ' + r.locator : '')).join('; ') + ')';
    const colour = data.colours[item.instrumentStatus] || '#d0d7e1';
    return {id: item.id, group: item.instrument, start: item.start, content: box, title: tip,
            className: item.kind === 'claim' ? 'claim' : '',
            style: 'background-color:' + colour + ';border-color:#555'};
  }));
  // open on the whole span of the steps (vis' own fit would widen it by the widths of the labels)
  const starts = data.items.map(i => i.start).sort();
  const day = 1000 * 60 * 60 * 24;
  const first = new Date(starts[0] || '2000-01-01'), last = new Date(starts[starts.length - 1] || '2025-01-01');
  const container = document.getElementById('timeline');
  const timeline = new vis.Timeline(container, items, groups, {
    stack: true, orientation: {axis: 'both'}, zoomMin: day * 60, margin: {item: 4}, align: 'left',
    tooltip: {followMouse: true}, showCurrentTime: false,
    start: new Date(first - day * 365), end: new Date(last.getTime() + day * 365 * 7),
  });
  timeline.on('select', props => {
    if (!props.items.length) return;
    const row = document.getElementById('step-' + props.items[0]);
    if (row) {
      for (const old of document.querySelectorAll('#timeline-table tr.selected')) old.classList.remove('selected');
      row.classList.add('selected');
      row.style.background = '#fff4c2';
      row.scrollIntoView({block: 'center'});
    }
  });
  window.crmgraphTimeline = timeline;
})();
