/**
 * The page (live at `/`, or written by `vigil sim --html` and `vigil replay`): one self-contained HTML document,
 * its style sheet, data and code inline, so it works from a file with no network.
 */
import { escapeXml } from '../xml-escape.js';
import { vigilPage, type PageBoot } from './client.js';
import { PAGE_CSS } from './styles.js';
import { timelineSvg } from './timeline-svg.js';

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const BODY = `
<header><h1>vigil</h1><span id="title"></span><span id="mode"></span></header>
<div id="layout">
  <aside><h2>Actors</h2><ul id="actors"></ul></aside>
  <main>
    <section id="scrub">
      <button id="first" title="first record">First</button>
      <button id="prev" title="previous transition or fault">◀ Prev</button>
      <input type="range" id="scrubber" min="0" max="0" value="0" aria-label="history">
      <button id="next" title="next transition or fault">Next ▶</button>
      <button id="live" title="latest record">Now</button>
      <div id="position"></div>
    </section>
    <section id="timeline"></section>
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
    timelineSvg.toString(),
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
