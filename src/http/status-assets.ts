// The status page's stylesheet and script, served from the admin port itself (/status.css, /status.js): no CDN, no
// build step, and a Content-Security-Policy that allows nothing inline.

/** The stylesheet of the status page. */
export const STATUS_CSS = `
:root { --bg: #f5f6f8; --panel: #fff; --text: #1d232b; --muted: #667085; --line: #e3e6ea; --accent: #2f6fde;
  --good: #137a3f; --good-bg: #e4f5ea; --bad: #b42318; --bad-bg: #fde8e6; --warn: #8a5a00; --warn-bg: #fff3d6;
  --code-bg: #eef1f5; color-scheme: light dark; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #111418; --panel: #1a1f25; --text: #e6e9ed; --muted: #98a2b3; --line: #2b323b; --accent: #6aa1ff;
    --good: #5fd08e; --good-bg: #143322; --bad: #ff8a80; --bad-bg: #3a1714; --warn: #f5c05a; --warn-bg: #3a2d10; --code-bg: #242b33; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif; }
header.top { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 12px; align-items: center; justify-content: space-between;
  padding: 12px 24px; background: var(--panel); border-bottom: 1px solid var(--line); }
.brand h1 { display: inline; margin: 0 10px 0 0; font-size: 18px; }
.brand .sub { color: var(--muted); }
form.search { display: flex; gap: 6px; flex: 1 1 320px; max-width: 520px; }
form.search input { flex: 1; padding: 7px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--text); font: inherit; }
form.search input:focus { outline: 2px solid var(--accent); outline-offset: -1px; }
form.search button { padding: 7px 14px; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); color: var(--text); font: inherit; cursor: pointer; }
.js form.search button { display: none; }
main { padding: 16px 24px 40px; max-width: 1400px; margin: 0 auto; }
.config { color: var(--muted); margin-bottom: 12px; }
.failed { background: var(--bad-bg); color: var(--bad); padding: 8px 12px; border-radius: 6px; margin-bottom: 12px; }
code { font: 12.5px/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--code-bg); padding: 1px 5px; border-radius: 4px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 10px; margin-bottom: 20px; }
.tile { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.tile .n { display: block; font-size: 24px; font-weight: 650; }
.tile .l { color: var(--muted); font-size: 12.5px; }
.tile.bad { border-color: var(--bad); background: var(--bad-bg); }
.tile.bad .n { color: var(--bad); }
h2 { font-size: 16px; margin: 26px 0 10px; }
h2 .count { color: var(--muted); font-weight: 500; font-size: 13px; margin-left: 4px; }
h3 { font-size: 14px; margin: 0 0 8px; }
#problems > h3 { color: var(--muted); font-weight: 600; margin: 14px 0 8px; }
h4 { font-size: 14px; margin: 0 0 6px; }
.ok-box p { background: var(--good-bg); color: var(--good); padding: 10px 14px; border-radius: 8px; margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 10px; }
.hosts { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 12px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; overflow-wrap: anywhere; }
.card.problem { border-left: 4px solid var(--bad); }
.owner { color: var(--muted); font-weight: 400; font-size: 12.5px; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; padding: 6px 8px; border-bottom: 1px solid var(--line); }
td { padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
tr:last-child td { border-bottom: 0; }
table.wide { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; border-collapse: separate; border-spacing: 0; }
tr.problem-row td:first-child { box-shadow: inset 4px 0 0 var(--bad); }
td.path, .route .path { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.route { font-weight: 600; }
ul.pods, ul.plain, ul.issues, ul.waiting { list-style: none; margin: 0; padding: 0; }
ul.pods li { display: inline-block; margin: 0 6px 4px 0; padding: 2px 8px; border-radius: 12px; font-size: 12.5px; }
li.pod.good { background: var(--good-bg); }
li.pod.warn { background: var(--warn-bg); }
li.pod .why { color: var(--warn); }
ul.issues li, ul.waiting li { padding: 4px 0; border-top: 1px dashed var(--line); }
ul.issues li:first-child, ul.waiting li:first-child { border-top: 0; }
.host td:nth-child(2), .host th:nth-child(2) { width: 1%; white-space: nowrap; }
.host td.path { width: 22%; min-width: 6ch; }
.badge { white-space: nowrap; display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge.good { background: var(--good-bg); color: var(--good); }
.badge.bad { background: var(--bad-bg); color: var(--bad); }
.badge.warn { background: var(--warn-bg); color: var(--warn); }
.code { font: 600 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--bad); margin-right: 4px; }
.state { display: inline-block; min-width: 66px; font-size: 11.5px; font-weight: 600; }
.state.serving { color: var(--good); }
.state.not-ready { color: var(--warn); }
.state.refused { color: var(--bad); }
.why { color: var(--warn); font-size: 12.5px; }
.podref .ns { color: var(--muted); }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.filtered mark { background: var(--warn-bg); color: inherit; padding: 0 3px; }
.truncated { background: var(--warn-bg); color: var(--warn); padding: 8px 12px; border-radius: 6px; }
a { color: var(--accent); }
@media (max-width: 640px) {
  header.top, main { padding-left: 12px; padding-right: 12px; }
  .hosts, .cards { grid-template-columns: 1fr; }
  table.wide thead { display: none; }
  table.wide tr, table.wide td { display: block; }
  table.wide td { border-bottom: 0; padding: 3px 10px; }
  table.wide tr { border-bottom: 1px solid var(--line); padding: 6px 0; }
}
`;

/**
 * The status page's script: filters rows as you type (keeping the filter in the address, so a reload keeps it),
 * and replaces the page's content every few seconds with a fresh copy from the server. The facts are on the page
 * without it.
 */
export const STATUS_JS = `'use strict';
(function () {
  document.documentElement.classList.add('js');
  var input = document.getElementById('q');
  var content = document.getElementById('content');
  if (!input || !content) return;
  var seconds = Number(content.getAttribute('data-refresh')) || 10;
  function matches(element, words) {
    var text = element.getAttribute('data-search') || '';
    return words.every(function (word) { return text.indexOf(word) !== -1; });
  }
  function filter() {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    content.querySelectorAll('.f').forEach(function (element) {
      var visible = matches(element, words);
      element.hidden = !visible;
      if (visible && !element.querySelector('.f')) shown++;
    });
    // A section or group with rows, none of them shown, is hidden too (headings and empty tables say nothing).
    content.querySelectorAll('.g').forEach(function (group) {
      var rows = group.querySelectorAll('.f');
      group.hidden = rows.length > 0 && !Array.prototype.some.call(rows, function (row) { return !row.hidden; });
    });
    var empty = content.querySelector('.empty-filter');
    if (empty) empty.hidden = words.length === 0 || shown > 0;
  }
  function address() {
    var params = new URLSearchParams(location.search);
    if (input.value === '') params.delete('q'); else params.set('q', input.value);
    var search = params.toString();
    return location.pathname + (search === '' ? '' : '?' + search);
  }
  var loading = false;
  function refresh() {
    if (loading) return;
    loading = true;
    fetch(address(), { headers: { accept: 'text/html' }, cache: 'no-store' })
      .then(function (response) { if (!response.ok) throw new Error('HTTP ' + response.status); return response.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, 'text/html').getElementById('content');
        if (!fresh) return;
        content.replaceChildren.apply(content, Array.prototype.map.call(fresh.childNodes, function (node) { return document.importNode(node, true); }));
        filter();
        var stamp = document.getElementById('refreshed');
        if (stamp) stamp.textContent = 'refreshed ' + new Date().toLocaleTimeString();
      })
      .catch(function (error) {
        var stamp = document.getElementById('refreshed');
        if (stamp) stamp.textContent = 'refresh failed (' + error.message + '); retrying';
      })
      .finally(function () { loading = false; });
  }
  var typing = null;
  input.addEventListener('input', function () {
    filter();
    history.replaceState(null, '', address());
    clearTimeout(typing);
    typing = setTimeout(refresh, 400);
  });
  input.form.addEventListener('submit', function (event) { event.preventDefault(); refresh(); });
  filter();
  setInterval(function () { if (!document.hidden) refresh(); }, seconds * 1000);
})();
`;
