// The live scorecard as feature, bins and points, and the champion/challenger
// comparison when another version has scored the population (GET /v1/operator/scorecard).
import { api, boot, day, el, lang, number, replace, t, table, tierName } from "./common.js";

function binText(bin) {
  if (bin.kind === "missing") return t("card.missing");
  if (bin.kind === "other") return t("card.other");
  if (bin.kind === "values") return bin.values.join(", ");
  if (bin.low === null) return t("card.below", { x: bin.high });
  if (bin.high === null) return t("card.from", { x: bin.low });
  return t("card.between", { x: bin.low, y: bin.high });
}

function featureTable(card) {
  const zh = lang() === "zh";
  const rows = [];
  for (const f of card.features) {
    f.bins.forEach((bin, i) => {
      const dim = card.dimensions[f.dimension];
      rows.push(
        el(
          "tr",
          {},
          i === 0 ? el("td", { rowspan: f.bins.length }, dim ? (zh ? dim.zh : dim.en) : f.dimension) : null,
          i === 0 ? el("th", { scope: "rowgroup", rowspan: f.bins.length }, zh ? f.zh : f.en, el("br"), el("span", { class: "muted key" }, f.feature)) : null,
          el("td", {}, binText(bin)),
          el("td", { class: "num" }, bin.points > 0 ? `+${bin.points}` : String(bin.points)),
        ),
      );
    });
  }
  return el(
    "div",
    { class: "scroll" },
    el(
      "table",
      { id: "scorecard-table" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", { scope: "col" }, t("card.dimension")),
          el("th", { scope: "col" }, t("card.feature")),
          el("th", { scope: "col" }, t("card.bin")),
          el("th", { scope: "col", class: "num" }, t("card.points")),
        ),
      ),
      el("tbody", {}, rows),
    ),
  );
}

function comparison(c) {
  if (!c) return el("p", { id: "no-challenger" }, t("card.nochallenger"));
  const tiers = Object.keys(c.tier_moves);
  return el(
    "div",
    { id: "comparison" },
    el(
      "div",
      { class: "stats" },
      el("div", {}, t("card.champion"), el("strong", {}, c.champion), day(c.champion_as_of)),
      el("div", {}, t("card.challenger"), el("strong", {}, c.challenger), day(c.challenger_as_of)),
      el("div", {}, t("card.n"), el("strong", {}, number(c.n))),
      el("div", {}, t("card.up"), el("strong", { class: "up" }, number(c.moved_up))),
      el("div", {}, t("card.down"), el("strong", { class: "down" }, number(c.moved_down))),
      el("div", {}, t("card.same"), el("strong", {}, number(c.unchanged_tier))),
      el("div", {}, t("card.mean"), el("strong", {}, number(c.mean_score_change, 1))),
      el("div", {}, t("card.p90"), el("strong", {}, number(c.score_change_abs_p90, 1))),
    ),
    el("h3", {}, t("card.moves")),
    table(
      ["", ...tiers.map((x) => [tierName(x), "num"])],
      tiers.map((from) => [tierName(from), ...tiers.map((to) => number(c.tier_moves[from][to]))]),
    ),
  );
}

function render(card) {
  const s = card.scaling;
  replace(
    "content",
    el(
      "div",
      { class: "grid" },
      el(
        "section",
        { class: "card wide", "aria-labelledby": "live-title" },
        el("h2", { id: "live-title" }, t("card.live", { version: card.version })),
        el("p", { class: "muted" }, t(`card.source.${card.source}`)),
        el("p", {}, t("card.scaling", { base: s.base_score, odds: s.base_odds, pdo: s.pdo, min: s.min_score, max: s.max_score })),
        featureTable(card),
      ),
      el(
        "section",
        { class: "card wide", "aria-labelledby": "compare-title" },
        el("h2", { id: "compare-title" }, t("card.compare")),
        comparison(card.comparison),
      ),
    ),
  );
}

boot({ kinds: ["operator"], load: () => api("/v1/operator/scorecard"), render });
