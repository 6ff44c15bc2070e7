// The supply-risk pages' charts: each <div class="chart" data-spec="ID"> gets the Vega-Lite spec of
// <script type="application/json" id="ID">, drawn by vega-embed with Vega's CSP-safe expression
// interpreter (the portal's Content-Security-Policy forbids eval). The table twin is already on the page.
import { expressionInterpreter } from "/assets/vega/vega-interpreter.js";

for (const el of document.querySelectorAll("div.chart[data-spec]")) {
  const spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
  window.vegaEmbed(el, spec, { ast: true, expr: expressionInterpreter, actions: false, renderer: "svg" })
    .then(() => el.setAttribute("data-drawn", "true"))
    .catch((err) => { el.textContent = "chart not drawn: " + err.message + " (the table below has the same data)"; });
}
