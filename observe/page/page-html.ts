/**
 * The page (live at `/`, or written by `vigil sim --html` and `vigil replay`): one self-contained HTML document,
 * its style sheet, data and code inline, so it works from a file with no network.
 */
import { escapeXml } from '../xml-escape.js';
import { vigilPage, type PageBoot } from './client.js';
import { axisTicks } from './axis-ticks.js';
import { createLaneModel } from './lane-model.js';
import { stateColour } from './state-colours.js';
import { PAGE_CSS } from './styles.js';

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const BODY = `
<header><h1>vigil</h1><span id="title"></span><span id="peers"></span><span id="mode"></span></header>
<div id="layout">
  <aside><h2>Actors</h2><ul id="actors"></ul></aside>
  <main>
    <section id="scrub">
      <button id="first" title="first record">First</button>
      <button id="prev" title="previous transition, DOWN or fault of the lanes shown (p)">◀ Prev</button>
      <input type="range" id="scrubber" min="0" max="0" value="0" aria-label="history">
      <button id="next" title="next transition, DOWN or fault of the lanes shown (n)">Next ▶</button>
      <button id="live" title="latest record">Now</button>
      <button id="play" title="play the records back">▶ Play</button>
      <select id="speed" title="playback speed: recorded time per second">
        <option value="1">1×</option><option value="10" selected>10×</option><option value="60">60×</option><option value="600">600×</option><option value="3600">3600×</option>
      </select>
      <div id="position"></div>
    </section>
    <section id="tools">
      <input type="search" id="filter" placeholder="filter: r1 VI_7 state=MASTER vrid=51 interface=eth0" aria-label="filter lanes and actors">
      <label>group by <select id="group-by"><option value="node">node</option><option value="vrid">VRID</option><option value="interface">interface</option><option value="group">sync group</option></select></label>
      <label><input type="checkbox" id="changed"> changed in view</label>
      <button id="collapse-all" title="collapse every group">Collapse</button>
      <button id="expand-all" title="expand every group">Expand</button>
      <button id="zoom-in" title="zoom in (+; Ctrl+wheel over the lanes, wheel over the axis)">+</button>
      <button id="zoom-out" title="zoom out (-)">−</button>
      <button id="zoom-all" title="the whole run (0)">All</button>
      <label title="the axis in times of day (the recording has wall-clock time)"><input type="checkbox" id="clock-time"> clock time</label>
      <span id="lane-count"></span>
    </section>
    <div id="holders"></div>
    <section id="timeline">
      <div id="tl-head"></div>
      <div id="tl-wrap"><div id="tl-body"><div id="tl-spacer"></div><div id="tl-rows"></div></div><svg id="tl-overlay" xmlns="http://www.w3.org/2000/svg"></svg></div>
    </section>
    <h2>Statecharts</h2>
    <section id="charts"></section>
    <section id="log"><h2>Records</h2><ol id="events"></ol></section>
  </main>
</div>`;

/**
 * The page in pieces: the head and the boot data up to its records, the records in slices of `sliceRecords`,
 * then the rest. Joined, the pieces are exactly `pageHtml(boot)`; the live endpoint writes them one by one and
 * lets the event loop turn between slices, so a long history never holds the VRRP thread for the whole page.
 */
export function* pageHtmlParts(boot: PageBoot, sliceRecords = 1000): Generator<string> {
  const { events, ...rest } = boot;
  yield [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>vigil — ${escapeXml(boot.title)}</title>`,
    `<style>${PAGE_CSS}</style>`,
    '</head><body>',
    BODY,
    // `rest` always has a title, so its JSON is `{…}` and the records go in as its last member.
    `<script type="application/json" id="vigil-data">${scriptJson(rest).slice(0, -1)},"events":[`,
  ].join('\n');
  const slice = Math.max(1, sliceRecords);
  for (let i = 0; i < events.length; i += slice) {
    const part = events.slice(i, i + slice).map((e) => scriptJson(e)).join(',');
    yield i === 0 ? part : `,${part}`;
  }
  yield [
    ']}</script>',
    '<script>',
    axisTicks.toString(),
    createLaneModel.toString(),
    stateColour.toString(),
    vigilPage.toString(),
    "vigilPage(JSON.parse(document.getElementById('vigil-data').textContent));",
    '</script>',
    '</body></html>',
    '',
  ].join('\n');
}

export function pageHtml(boot: PageBoot): string {
  return [...pageHtmlParts(boot)].join('');
}
