/** The page's style sheet (inlined: the page works from a file, with no network). */
export const PAGE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#24292f;background:#f6f8fa}
header{display:flex;gap:16px;align-items:baseline;padding:10px 18px;background:#24292f;color:#fff}
header h1{margin:0;font-size:18px}
#title{font-family:monospace;opacity:.85}
#mode{margin-left:auto;font-weight:bold}
#peers{display:flex;flex-wrap:wrap;gap:6px 12px;font:12px monospace}
.peer{padding:1px 8px;border-radius:10px;background:#2da44e}.peer.p-unreachable{background:#9a6700}.peer.p-connecting{background:#57606a}
#holders{display:flex;flex-wrap:wrap;gap:4px 10px;margin-top:8px;font:12px monospace;color:#57606a}
#holders:empty{display:none}
#holders .vrid{color:#24292f}#holders .vrid.odd{color:#cf222e;font-weight:bold}
#mode.live{color:#4ac26b}
#mode.past{color:#d4a72c}
#layout{display:flex;align-items:flex-start}
aside{width:280px;min-width:220px;padding:12px;position:sticky;top:0;max-height:100vh;overflow:auto}
aside h2,main h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:#57606a;margin:6px 0}
#actors{list-style:none;margin:0;padding:0;position:relative}
#actors li{position:absolute;left:0;right:0;height:24px;overflow:hidden;white-space:nowrap;contain:strict}
#actors li.node{display:flex;gap:6px;align-items:flex-end;padding-bottom:2px}
.node-name{font-weight:bold;font-family:monospace}
#actors li.actor{display:flex;gap:6px;align-items:center;padding:0 6px;margin-left:10px;border-radius:6px;cursor:pointer;font-family:monospace;font-size:12px;background:#fff;border:1px solid #d0d7de}
#actors li.actor.selected{border-color:#0969da}
#actors .machine,#actors .prio{color:#57606a}
#actors .state{margin-left:auto}
.state{display:inline-block;padding:1px 7px;border-radius:10px;font:bold 11px monospace;background:#afb8c1;color:#fff}
.s-up,.s-alive,.s-active,.s-GOOD{background:#2da44e}.s-down,.s-failed,.s-BAD{background:#cf222e}.s-probing{background:#54aeff}
.s-DOWN{background:#24292f}.s-UNREACHABLE{background:#9a6700}.s-none{background:#d0d7de;color:#24292f}
.s-BACKUP{background:#54aeff}.s-MASTER{background:#2da44e}.s-FAULT{background:#cf222e}.s-STOP{background:#57606a}.s-INIT{background:#8c959f}
.s-Up{background:#2da44e}.s-Down{background:#cf222e}.s-Init{background:#d4a72c}.s-AdminDown{background:#8c959f}
main{flex:1;padding:12px 18px;min-width:0}
#scrub{display:flex;flex-wrap:wrap;gap:8px;align-items:center;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:8px 12px;position:sticky;top:0;z-index:2}
#scrub input[type=range]{flex:1;min-width:200px}
#scrub button{font:inherit;padding:2px 10px;border:1px solid #d0d7de;border-radius:6px;background:#f6f8fa;cursor:pointer}
#position{width:100%;height:18px;overflow:hidden;white-space:nowrap;contain:strict;font-family:monospace;font-size:12px;color:#57606a}
#tools{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-top:10px;font-size:13px}
#tools button{font:inherit;padding:1px 9px;border:1px solid #d0d7de;border-radius:6px;background:#f6f8fa;cursor:pointer}
#filter{flex:1;min-width:220px;font:13px monospace;padding:3px 8px;border:1px solid #d0d7de;border-radius:6px}
#lane-count{font:12px monospace;color:#57606a}
#timeline{margin:8px 0 12px;background:#fff;border:1px solid #d0d7de;border-radius:8px;overflow:hidden}
#timeline svg{display:block}
#tl-wrap{position:relative}
#tl-body{position:relative;height:120px;overflow-y:auto;overflow-x:hidden;contain:strict}
#tl-spacer{width:1px}
#tl-rows{position:absolute;top:0;left:0;right:0}
#tl-overlay{position:absolute;top:0;pointer-events:none}
#tl-rows .row{position:absolute;left:0;right:0;height:26px;contain:strict;display:flex;align-items:center;font:12px monospace}
#tl-rows .group{gap:6px;padding-left:6px;background:#f6f8fa;border-bottom:1px solid #eaeef2;cursor:pointer;white-space:nowrap;overflow:hidden}
#tl-rows .group .n{color:#57606a}
#tl-rows .group .state{font-size:10px}
.lane-label{width:210px;min-width:210px;display:flex;gap:5px;align-items:center;padding-left:16px;overflow:hidden;white-space:nowrap}
.member .lane-label{padding-left:28px;color:#57606a}
.lane-label .count{color:#0969da;cursor:pointer;font-weight:bold}
.lane-label .state{margin-left:auto;margin-right:4px;font-size:10px}
.lane-svg{cursor:grab}
#charts{display:flex;flex-wrap:wrap;gap:12px}
.card{content-visibility:auto;contain-intrinsic-size:auto 520px;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:8px 10px;flex:1 1 520px;min-width:0}
.card.wide{flex-basis:100% !important}
.chart{cursor:zoom-in}.card.wide .chart{cursor:zoom-out}
.card-head{display:flex;gap:10px;align-items:center;font:bold 13px monospace}
.card .info{font:12px monospace;color:#57606a;margin:2px 0 6px}
.chart{overflow:auto;max-width:100%}
.chart svg{width:100%;height:auto;display:block}
#log{content-visibility:auto;contain-intrinsic-size:auto 360px}
#log ol{list-style:none;padding:0;margin:0;font:12px monospace;background:#fff;border:1px solid #d0d7de;border-radius:8px;height:320px;overflow:auto;contain:strict}
#log li{padding:2px 10px;border-bottom:1px solid #eaeef2}
#log li.milestone{font-weight:bold}
#log .t{color:#57606a;display:inline-block;min-width:100px}
`;
