"""The report's stylesheet and its one small script (inlined; the page needs no network).

Colours are the Okabe-Ito palette (safe for the common colour-vision
deficiencies); status is always shown as text and a symbol as well as colour.
"""

from __future__ import annotations

__all__ = ["CSS", "JS", "OKABE_ITO", "STATUS_STYLE"]

# Okabe & Ito (2008): distinguishable under protanopia, deuteranopia and tritanopia.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000")

# status -> (symbol, label, colour): the symbol and label carry the meaning, not the colour
STATUS_STYLE: dict[str, tuple[str, str, str]] = {
    "covered": ("\u25cf", "covered", "#009E73"),
    "silent": ("\u25a0", "silent", "#D55E00"),
    "no_output": ("\u25cb", "no output", "#767676"),
    "not_collected": ("?", "not collected", "#767676"),
    "unreachable": ("\u2715", "could not be reached", "#E69F00"),
}

CSS = """
:root{--fg:#1b1b1b;--muted:#555;--line:#d0d0d0;--bg:#fff;--soft:#f5f6f7;--accent:#0072B2}
*{box-sizing:border-box}
html{font-size:16px}
body{margin:0;color:var(--fg);background:var(--bg);line-height:1.5;
 font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif}
header.top{padding:1.2rem 2rem .6rem;border-bottom:1px solid var(--line);background:var(--soft)}
header.top h1{margin:0;font-size:1.6rem;line-height:1.25}
header.top .sub{margin:.2rem 0 .4rem;color:var(--muted)}
nav{display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:.92rem}
nav a{color:var(--accent);text-decoration:none}
nav a:hover{text-decoration:underline}
main{max-width:1200px;margin:0 auto;padding:0 2rem 2rem}
section.block{margin-top:2rem;border-top:3px solid var(--fg);padding-top:.6rem}
h2{font-size:1.35rem;margin:.2rem 0 .6rem}
h3{font-size:1.08rem;margin:1.4rem 0 .4rem}
p.note,.muted{color:var(--muted);font-size:.9rem}
a{color:var(--accent)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em}
.facts{display:flex;flex-wrap:wrap;gap:.4rem 1.6rem;margin:.4rem 0 .8rem;padding:0;list-style:none}
.facts li b{font-size:1.25rem;display:block;line-height:1.1}
.facts li span{color:var(--muted);font-size:.85rem}
figure{margin:.6rem 0 1rem;break-inside:avoid}
figcaption{color:var(--muted);font-size:.88rem;margin-top:.2rem}
svg.chart{width:100%;height:auto;display:block;font-size:12px}
svg.chart text{fill:#333}
svg.chart .axis line,svg.chart .axis path{stroke:#888}
svg.chart .axis line.gridline{stroke:#e8e8e8}
svg.chart text.note{fill:#555;font-size:11px}
svg.chart .grid line{stroke:#e6e6e6}
svg.chart .ev line{stroke:#222;stroke-dasharray:4 3}
svg.chart .ev circle{fill:#fff;stroke:#222}
svg.chart .ev text{font-weight:600;font-size:11px}
.legend{display:flex;flex-wrap:wrap;gap:.3rem 1rem;font-size:.9rem;margin:.2rem 0}
.legend label,.legend span{display:inline-flex;align-items:center;gap:.3rem}
.legend label{cursor:pointer}
.swatch{display:inline-block;width:1.4em;height:.6em;border-radius:2px}
ol.events{font-size:.9rem;margin:.3rem 0 0;padding-left:1.6rem}
ol.events li::marker{font-weight:700}
.tablewrap{overflow:auto;max-width:100%;max-height:70vh;border:1px solid var(--line);
 border-radius:4px}
table{border-collapse:collapse;width:100%;font-size:.88rem}
th,td{padding:.3rem .5rem;border-bottom:1px solid #e8e8e8;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
thead th{background:var(--soft);position:sticky;top:0;vertical-align:bottom}
caption{text-align:left;padding:.3rem .55rem;caption-side:bottom}
th button{all:unset;cursor:pointer;font-weight:600}
th button:focus-visible{outline:2px solid var(--accent)}
th[aria-sort=ascending] button::after{content:" \\25B2";font-size:.7em}
th[aria-sort=descending] button::after{content:" \\25BC";font-size:.7em}
tbody tr:hover{background:#fafafa}
.nw{white-space:nowrap}
.status{display:inline-block;padding:0 .45em;border-radius:3px;border-left:4px solid;
 background:#f3f3f3;white-space:nowrap;font-size:.85rem}
figure.reach-outlet{margin:.4rem 0 1rem}
figure.reach-outlet figcaption{color:var(--fg);font-size:.9rem;margin:0 0 .1rem}
ul.reach-periods{margin:.1rem 0 .2rem;padding-left:1.2rem;font-size:.86rem}
.rband{display:inline-block;width:1.6em;height:.9em;border:1px solid;vertical-align:middle;
 -webkit-print-color-adjust:exact;print-color-adjust:exact}
.rband.blocked{border-color:#D55E00;background:repeating-linear-gradient(45deg,
 rgba(213,94,0,.6) 0 2px,rgba(213,94,0,.1) 2px 6px)}
.rband.down{border-color:#0072B2;background:radial-gradient(circle,rgba(0,114,178,.7) 1.3px,
 transparent 1.7px) 0 0/6px 6px,rgba(0,114,178,.1)}
.rband.none{border-color:#ccc;background:repeating-linear-gradient(45deg,#d2d2d2 0 1.5px,
 #f6f6f6 1.5px 5px)}
.tools{display:flex;gap:.5rem;align-items:center;margin:.3rem 0;flex-wrap:wrap}
button.dl{font:inherit;font-size:.8rem;padding:.15rem .6rem;border:1px solid #999;border-radius:3px;
 background:#fff;cursor:pointer}
button.dl:hover{background:var(--soft)}
ul.samples{padding-left:1.1rem;font-size:.92rem}
ul.samples li{margin:.25rem 0}
.finding{border:1px solid var(--line);border-left:5px solid var(--accent);border-radius:4px;
 padding:.6rem .9rem;margin:.7rem 0;break-inside:avoid}
.finding ul{font-size:.9rem;margin:.2rem 0}
.finding p.sentence{font-size:1.02rem;margin:.1rem 0 .4rem;font-weight:500}
dl.nums{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.2rem 1rem;
 margin:.2rem 0;font-size:.85rem}
dl.nums div{display:flex;gap:.4rem}
dl.nums dt{color:var(--muted)}
dl.nums dd{margin:0;font-variant-numeric:tabular-nums}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}
@media (max-width:900px){.cols{grid-template-columns:1fr}main{padding:0 1rem 2rem}}
footer{border-top:1px solid var(--line);color:var(--muted);font-size:.8rem;padding:.6rem 2rem}
@media print{
 header.top{background:none}nav,.tools,.legend input{display:none}
 main{max-width:none;padding:0}section.block{break-before:auto}
 .tablewrap{overflow:visible;max-height:none;border:none}thead th{position:static}
 body{font-size:10pt}table{font-size:8pt}th,td{padding:.12rem .25rem}.nw,.status{white-space:normal}
 details:not([open]){display:none}
 a{color:inherit;text-decoration:underline}
}
"""

JS = """
(function(){
"use strict";
function key(td){
  var v=td?td.getAttribute("data-sort"):null; if(v===null&&td){v=td.textContent.trim();}
  if(v===null||v===""){return {n:true,v:-Infinity,s:""};}
  var f=Number(v); return isNaN(f)?{n:false,v:0,s:v.toLowerCase()}:{n:true,v:f,s:v};
}
function sortBy(th){
  var table=th.closest("table"), idx=Array.prototype.indexOf.call(th.parentNode.children,th);
  var asc=th.getAttribute("aria-sort")!=="ascending";
  table.querySelectorAll("thead th").forEach(function(h){h.removeAttribute("aria-sort");});
  th.setAttribute("aria-sort",asc?"ascending":"descending");
  var body=table.tBodies[0], rows=Array.prototype.slice.call(body.rows);
  rows.sort(function(a,b){
    var x=key(a.cells[idx]), y=key(b.cells[idx]), c;
    if(x.n&&y.n){c=x.v-y.v;}else{c=x.s.localeCompare(y.s);}
    return asc?c:-c;
  });
  rows.forEach(function(r){body.appendChild(r);});
}
document.querySelectorAll("table.sortable thead th").forEach(function(th){
  var b=th.querySelector("button"); if(b){b.addEventListener("click",function(){sortBy(th);});}
});
function csvCell(v){
  if(v===null||v===undefined){return "";}
  var s=typeof v==="object"?JSON.stringify(v):String(v);
  /* a text a spreadsheet would run as a formula is written as text (OWASP; the same
     rule as untold.text.spreadsheet); numbers stay numbers */
  if(typeof v==="string"&&/^[=+\\-@\\t\\r]/.test(s)){s="'"+s;}
  return /[",\\r\\n]/.test(s)?'"'+s.replace(/"/g,'""')+'"':s;
}
document.querySelectorAll("button.dl").forEach(function(btn){
  btn.addEventListener("click",function(){
    var el=document.getElementById(btn.getAttribute("data-src")); if(!el){return;}
    var d=JSON.parse(el.textContent), fmt=btn.getAttribute("data-format"), text, mime;
    if(fmt==="csv"){
      var lines=[d.columns.map(csvCell).join(",")];
      d.rows.forEach(function(r){lines.push(r.map(csvCell).join(","));});
      text="\\ufeff"+lines.join("\\r\\n")+"\\r\\n"; mime="text/csv";
    }else{
      text=JSON.stringify(d.rows.map(function(r){var o={};
        d.columns.forEach(function(c,i){o[c]=r[i];});return o;}),null,2); mime="application/json";
    }
    var a=document.createElement("a");
    a.href="data:"+mime+";charset=utf-8,"+encodeURIComponent(text);
    a.download=btn.getAttribute("data-name")+"."+fmt;
    document.body.appendChild(a); a.click(); a.remove();
  });
});
document.querySelectorAll("input[data-toggle]").forEach(function(box){
  function apply(){
    var sel=box.getAttribute("data-toggle");
    document.querySelectorAll("[data-series='"+sel+"']").forEach(function(el){
      el.style.display=box.checked?"":"none";
    });
  }
  box.addEventListener("change",apply);
  apply();  /* some series start hidden (the legend says which) */
});
})();
"""
