// The population dashboard (operators): distribution, tiers, provinces, reasons,
// ingestion health, open disputes and the four-fifths rule for the scorecard in use,
// from GET /v1/operator/population.
import {
  TIER_COLOURS,
  api,
  boot,
  chart,
  day,
  el,
  lang,
  number,
  percent,
  replace,
  reportLink,
  signed,
  t,
  table,
  tierName,
} from "./common.js";
import { MAX_SCORE, MIN_SCORE } from "./scale.js";

function tierOf(score, tiers) {
  let found = tiers[0].tier;
  for (const tier of tiers) if (score >= tier.low) found = tier.tier;
  return found;
}

function card(id, title, ...children) {
  const wide = id === "ingestion";
  return el("section", { class: wide ? "card wide" : "card", "aria-labelledby": `${id}-title` }, el("h2", { id: `${id}-title` }, title), children);
}

function chartBox(id, aria, tall = false) {
  return el("div", { id, class: tall ? "chart tall" : "chart", role: "img", "aria-label": aria });
}

// Where a ratio was measured: "0.74 for age band 18-29 at 700".
function where(low) {
  return t("dash.fair.where", {
    ratio: number(low.ratio, 2),
    attribute: t(`dash.attr.${low.attribute}`),
    group: low.group,
    cutoff: low.cutoff,
  });
}

// The scorecard people are scored by, on its newest run: flagged when a group's approval
// rate is significantly below four fifths of the best-treated group's.
function fairnessCard(f) {
  if (!f) return null;
  const values = { version: f.scorecard_version, date: day(f.as_of), threshold: number(f.threshold, 1) };
  const lines = [
    f.flagged
      ? el("p", { class: "flagline" }, t(f.new ? "dash.fair.new" : "dash.fair.flagged", { ...values, where: where(f.lowest) }))
      : el("p", {}, t("dash.fair.passes", values)),
  ];
  if (!f.flagged && f.lowest) lines.push(el("p", { class: "muted" }, t("dash.fair.lowest", { where: where(f.lowest) })));
  if (f.previous_run) {
    const before = { date: day(f.previous_as_of), threshold: values.threshold };
    lines.push(
      el(
        "p",
        { class: "muted" },
        f.previous_flagged
          ? t("dash.fair.before.flagged", { ...before, where: where(f.previous_lowest) })
          : t("dash.fair.before.passed", before),
      ),
    );
  }
  lines.push(el("p", { class: "muted" }, t("dash.fair.cutoffs", { cutoffs: f.cutoffs.join(", ") })));
  return el(
    "section",
    {
      id: "fairness",
      class: f.flagged ? "card wide flagged" : "card wide",
      role: f.flagged ? "alert" : null,
      "aria-labelledby": "fairness-title",
    },
    el("h2", { id: "fairness-title" }, t("dash.fairness")),
    lines,
  );
}

function render(data) {
  if (!data.run) {
    replace("content", el("p", {}, t("dash.norun")));
    return;
  }
  const zh = lang() === "zh";
  const run = data.run;
  const previous = data.previous_run;
  const summary = el(
    "section",
    { class: "card wide", "aria-labelledby": "run-title" },
    el("h2", { id: "run-title" }, t("dash.run")),
    el(
      "div",
      { class: "stats" },
      el("div", {}, t("dash.asof"), el("strong", {}, day(run.as_of))),
      el("div", {}, t("dash.people"), el("strong", {}, number(run.subjects))),
      el("div", {}, t("dash.version"), el("strong", {}, run.scorecard_version)),
      el("div", {}, t("dash.previous"), el("strong", {}, previous ? day(previous.as_of) : "–")),
    ),
  );
  const tierRows = data.tiers.map((tier) => [
    el("span", {}, el("span", { class: "swatch", style: `background:${TIER_COLOURS[tier.tier]}` }), tierName(tier.tier)),
    `${tier.low}–${tier.high}`,
    number(tier.count),
    tier.change === null
      ? "–"
      : el("span", { class: tier.change > 0 ? "up" : tier.change < 0 ? "down" : null }, signed(tier.change)),
  ]);
  const tiers = card(
    "tiers",
    t("dash.tiers"),
    table([t("dash.tier"), t("dash.range"), [t("dash.count"), "num"], [t("dash.change"), "num"]], tierRows),
    previous ? null : el("p", { class: "muted" }, t("dash.noprevious")),
  );
  const reasons = card(
    "reasons",
    t("dash.reasons"),
    table(
      [t("dash.reason"), [t("dash.count"), "num"], [t("dash.meanlost"), "num"]],
      data.reasons.map((r) => [zh ? r.zh : r.en, number(r.people), number(r.mean_points_lost, 1)]),
    ),
  );
  const drops = card(
    "drops",
    t("dash.drops"),
    data.biggest_drops.length
      ? table(
          [t("dash.person"), [t("dash.before"), "num"], [t("dash.score"), "num"], [t("dash.change"), "num"]],
          data.biggest_drops.map((p) => [
            reportLink(p.subject_key, "data_quality_review"),
            number(p.previous_score),
            number(p.score),
            el("span", { class: "down" }, signed(p.change)),
          ]),
        )
      : el("p", { class: "muted" }, previous ? t("none") : t("dash.noprevious")),
  );
  const ingestion = card(
    "ingestion",
    t("dash.ingestion"),
    table(
      [
        t("dash.partner"),
        [t("dash.batches"), "num"],
        [t("dash.rows"), "num"],
        [t("dash.accepted"), "num"],
        [t("dash.rejected"), "num"],
        [t("dash.rate"), "num"],
        t("dash.last"),
      ],
      data.ingestion.map((p) => [
        p.partner_id,
        number(p.batches),
        number(p.rows_in),
        number(p.accepted),
        number(p.rejected),
        percent(p.rejection_rate),
        day(p.last_batch),
      ]),
    ),
  );
  const disputes = data.disputes;
  const disputeCard = card(
    "disputes",
    t("dash.disputes"),
    el("p", {}, t("dash.disputes.summary", { total: disputes.total, overdue: disputes.overdue, days: disputes.deadline_days })),
    disputes.total ? chartBox("chart-disputes", t("dash.disputes.aria")) : null,
    el("h3", {}, t("dash.oldest")),
    disputes.oldest.length
      ? table(
          [t("dash.person"), t("dash.partner"), [t("dash.days"), "num"], t("dash.deadline"), t("queue.status")],
          disputes.oldest.map((d) => [
            reportLink(d.subject_key, "dispute_review"),
            d.partner_id,
            number(d.age_days),
            day(d.deadline),
            el("span", { class: `badge ${d.overdue ? "overdue" : "open"}` }, d.overdue ? t("queue.overdue") : t("status.open")),
          ]),
          { rowClass: (i) => (disputes.oldest[i].overdue ? "overdue" : null) },
        )
      : el("p", { class: "muted" }, t("none")),
  );
  replace(
    "content",
    el(
      "div",
      { class: "grid" },
      summary,
      fairnessCard(data.fairness),
      card("histogram", t("dash.histogram"), chartBox("chart-histogram", t("dash.histogram.aria", { min: MIN_SCORE, max: MAX_SCORE }))),
      tiers,
      card(
        "regions",
        t("dash.regions"),
        el("p", { class: "muted" }, t("dash.regions.note", { n: data.min_group })),
        chartBox("chart-regions", t("dash.regions.aria"), true),
      ),
      reasons,
      drops,
      disputeCard,
      ingestion,
    ),
  );

  chart("chart-histogram", {
    grid: { left: 56, right: 12, top: 16, bottom: 48 },
    tooltip: { trigger: "axis" },
    xAxis: {
      type: "category",
      data: data.histogram.map((b) => `${b.low}`),
      axisLabel: { interval: 4 },
      name: t("dash.range"),
      nameLocation: "middle",
      nameGap: 28,
    },
    yAxis: { type: "value", name: t("dash.count") },
    series: [
      {
        type: "bar",
        barCategoryGap: "5%",
        data: data.histogram.map((b) => ({
          value: b.count,
          itemStyle: { color: TIER_COLOURS[tierOf(b.low, data.tiers)] },
        })),
      },
    ],
  });
  const regions = [...data.regions].reverse(); // ECharts draws the first category at the bottom
  chart("chart-regions", {
    grid: { left: 100, right: 40, top: 8, bottom: 24 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "value", min: (v) => Math.max(MIN_SCORE, Math.floor(v.min / 10) * 10 - 10) },
    yAxis: { type: "category", data: regions.map((r) => (zh ? r.zh : r.en)), axisLabel: { fontSize: 11 } },
    series: [
      {
        type: "bar",
        data: regions.map((r) => ({ value: r.mean_score, itemStyle: { color: TIER_COLOURS[tierOf(r.mean_score, data.tiers)] } })),
        label: { show: true, position: "right", fontSize: 10 },
      },
    ],
  });
  if (disputes.total) {
    // Every day from 0 to past the deadline, so the deadline line is always drawn.
    const last = Math.max(disputes.deadline_days, ...disputes.by_age.map((b) => b.age_days));
    const byAge = new Map(disputes.by_age.map((b) => [b.age_days, b]));
    const ages = Array.from({ length: last + 1 }, (_, i) => i);
    chart("chart-disputes", {
      grid: { left: 40, right: 16, top: 32, bottom: 40 },
      legend: { data: [t("chart.open"), t("chart.overdue")] },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: ages.map(String), name: t("dash.days"), nameLocation: "middle", nameGap: 26 },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        {
          name: t("chart.open"),
          type: "bar",
          stack: "d",
          data: ages.map((a) => byAge.get(a)?.open ?? 0),
          itemStyle: { color: "#1f5fae" },
          markLine: {
            symbol: "none",
            lineStyle: { color: "#b42318", type: "dashed" },
            data: [{ xAxis: String(disputes.deadline_days) }],
            label: { formatter: t("dash.deadline") },
          },
        },
        {
          name: t("chart.overdue"),
          type: "bar",
          stack: "d",
          data: ages.map((a) => byAge.get(a)?.overdue ?? 0),
          itemStyle: { color: "#b42318" },
        },
      ],
    });
  }
}

boot({ kinds: ["operator"], load: () => api("/v1/operator/population"), render });
