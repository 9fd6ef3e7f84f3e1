// A person's report: the person's own (citizen key, GET /v1/me/report) or, for an
// operator, anyone's with a stated purpose (GET /v1/operator/people/{key}/report).
import {
  TIER_COLOURS,
  api,
  boot,
  chart,
  day,
  el,
  kind,
  label,
  lang,
  number,
  reload,
  replace,
  showError,
  showNotice,
  t,
  table,
  tierName,
} from "./common.js";
import { MAX_SCORE, MIN_SCORE, TIERS } from "./scale.js";

const PURPOSES = ["dispute_review", "data_quality_review", "complaint_handling"];

const params = new URLSearchParams(location.search);
const citizen = kind() === "citizen";

function source() {
  if (citizen) return "/v1/me/report";
  const subject = params.get("subject");
  const purpose = params.get("purpose");
  if (!subject || !PURPOSES.includes(purpose)) return null;
  return `/v1/operator/people/${encodeURIComponent(subject)}/report?purpose=${purpose}`;
}

async function load() {
  const path = source();
  return path === null ? { choose: true } : api(path);
}

function purposeForm() {
  const select = el(
    "select",
    { id: "purpose", name: "purpose" },
    PURPOSES.map((p) => el("option", { value: p, selected: p === params.get("purpose") }, t(`purpose.${p}`))),
  );
  return el(
    "form",
    { class: "card", method: "get", action: "report.html" },
    el("input", { type: "hidden", name: "subject", value: params.get("subject") ?? "" }),
    el("label", { for: "purpose" }, el("h2", {}, t("report.purpose"))),
    el("p", { class: "muted" }, t("report.purpose.note")),
    el("div", { class: "inline" }, select, " ", el("button", { type: "submit" }, t("report.open"))),
  );
}

function section(id, title, ...children) {
  const wide = id === "records" || id === "accesses";
  return el("section", { class: wide ? "card wide" : "card", "aria-labelledby": `${id}-title` }, el("h2", { id: `${id}-title` }, title), children);
}

function openDisputes(report) {
  return new Set(
    report.disputes.filter((d) => d.status === "open").map((d) => `${d.partner_id}/${d.category}/${d.record_id}`),
  );
}

function disputeForm(category, record, done) {
  const reason = el("textarea", { id: `reason-${category}`, rows: 2, required: true, maxlength: 2000 });
  const form = el(
    "form",
    { class: "inline", "data-record": record.record_id },
    el("label", { for: `reason-${category}` }, `${t("report.dispute.reason")} (${record.partner_id}, ${record.record_id})`),
    reason,
    el("button", { type: "submit" }, t("report.dispute.send")),
    el("button", { type: "button", class: "secondary", onclick: () => form.remove() }, t("report.cancel")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const opened = await api("/v1/me/disputes", {
        method: "POST",
        body: { partner_id: record.partner_id, category, record_id: record.record_id, reason: reason.value.trim() },
      });
      showNotice(t("report.dispute.done", { deadline: day(opened.deadline) }));
      await done();
    } catch (error) {
      button.disabled = false;
      showError(error.message);
    }
  });
  return form;
}

function recordsSection(report, refresh) {
  const disputed = openDisputes(report);
  const parts = [];
  for (const [category, records] of Object.entries(report.records)) {
    if (!records.length) continue;
    const fields = Object.keys(records[0]).filter((f) => f !== "partner_id");
    const holder = el("div", {});
    const headers = [t("report.source"), ...fields];
    if (citizen) headers.push("");
    const rows = records.map((record) => {
      const cells = [record.partner_id, ...fields.map((f) => record[f] ?? "–")];
      if (citizen) {
        const id = `${record.partner_id}/${category}/${record.record_id}`;
        cells.push(
          disputed.has(id)
            ? el("span", { class: "badge open" }, t("report.disputed"))
            : el(
                "button",
                {
                  type: "button",
                  class: "secondary dispute",
                  "data-record": record.record_id,
                  onclick: () => {
                    const form = disputeForm(category, record, refresh);
                    holder.replaceChildren(form);
                    form.querySelector("textarea").focus();
                  },
                },
                t("report.dispute"),
              ),
        );
      }
      return cells;
    });
    parts.push(el("h3", {}, `${t(`cat.${category}`)} (${records.length})`), table(headers, rows), holder);
  }
  return section("records", t("report.records"), parts.length ? parts : el("p", {}, t("none")));
}

function render(report) {
  if (report.choose) {
    replace("content", purposeForm());
    return;
  }
  const zh = lang() === "zh";
  const dims = Object.keys(report.subscores);
  const plan = report.improvement;
  const refresh = async () => {
    await reload(load, render);
  };
  const reasons = report.reasons.map((r) =>
    el(
      "div",
      { class: "reason" },
      el("h3", {}, `${zh ? r.label_zh : r.label} · ${t("report.lost", { n: r.points_lost })}`),
      el("p", {}, zh ? r.zh : r.en),
      r.records.length
        ? el(
            "details",
            {},
            el("summary", {}, `${t("report.behind")} (${r.records_total})`),
            table(Object.keys(r.records[0]), r.records.map((rec) => Object.values(rec).map((v) => v ?? "–"))),
          )
        : null,
    ),
  );
  const next = plan.next_tier
    ? [
        el("p", {}, t("report.needed", { n: plan.needed, tier: tierName(plan.next_tier) })),
        plan.changes.length
          ? el(
              "ul",
              { class: "plain" },
              plan.changes.map((c) => el("li", {}, zh ? c.zh : c.en)),
            )
          : null,
        plan.reachable ? null : el("p", { class: "muted" }, t("report.unreachable")),
      ]
    : el("p", {}, t("report.top"));
  replace(
    "content",
    el(
      "div",
      { class: "grid" },
      section(
        "score",
        t("report.score"),
        el(
          "p",
          { class: "stats" },
          el("span", {}, el("strong", { id: "score-value" }, number(report.score)), tierName(report.tier)),
        ),
        el("p", { class: "muted" }, t("report.asof", { date: day(report.as_of), version: report.scorecard_version })),
        el("div", { id: "chart-gauge", class: "chart", role: "img", "aria-label": `${t("report.gauge.aria", { min: MIN_SCORE, max: MAX_SCORE })}: ${report.score}` }),
      ),
      section(
        "subscores",
        t("report.subscores"),
        el("p", { class: "muted" }, t("report.subscores.note", { min: MIN_SCORE, max: MAX_SCORE })),
        el("div", { id: "chart-radar", class: "chart", role: "img", "aria-label": t("report.radar.aria") }),
        table(
          [t("card.dimension"), [t("report.score"), "num"]],
          dims.map((d) => [zh ? report.dimension_names[d].zh : report.dimension_names[d].en, number(report.subscores[d])]),
        ),
      ),
      section("reasons", t("report.reasons"), reasons.length ? reasons : el("p", {}, t("none"))),
      section("next", t("report.next"), next),
      section(
        "history",
        t("report.history"),
        el("div", { id: "chart-history", class: "chart", role: "img", "aria-label": t("report.history.aria") }),
      ),
      recordsSection(report, refresh),
      section(
        "accesses",
        t("report.accesses"),
        table(
          [t("report.at"), t("report.by"), t("report.action"), t("report.why")],
          report.accesses.map((a) => [a.at.replace("T", " "), a.by, label("action", a.action), label("purpose", a.purpose)]),
        ),
      ),
      section(
        "my-disputes",
        t("report.disputes"),
        report.disputes.length
          ? table(
              [t("queue.opened"), t("queue.partner"), t("queue.record"), t("queue.deadline"), t("report.status")],
              report.disputes.map((d) => [
                day(d.opened_at),
                d.partner_id,
                `${t(`cat.${d.category}`)} ${d.record_id}`,
                day(d.deadline),
                t(`status.${d.status}`),
              ]),
            )
          : el("p", {}, t("none")),
      ),
    ),
  );

  const span = MAX_SCORE - MIN_SCORE;
  const bands = TIERS.map((tier, i) => [i + 1 < TIERS.length ? (TIERS[i + 1].low - MIN_SCORE) / span : 1, TIER_COLOURS[tier.id]]);
  chart("chart-gauge", {
    series: [
      {
        type: "gauge",
        min: MIN_SCORE,
        max: MAX_SCORE,
        splitNumber: 6,
        axisLine: { lineStyle: { width: 18, color: bands } },
        pointer: { width: 5 },
        axisLabel: { distance: 24, fontSize: 10 },
        detail: { formatter: `{value}\n${tierName(report.tier)}`, fontSize: 20, offsetCenter: [0, "65%"] },
        data: [{ value: report.score }],
      },
    ],
  });
  chart("chart-radar", {
    radar: {
      indicator: dims.map((d) => ({
        name: zh ? report.dimension_names[d].zh : report.dimension_names[d].en,
        min: MIN_SCORE,
        max: MAX_SCORE,
      })),
      radius: "62%",
    },
    series: [{ type: "radar", data: [{ value: dims.map((d) => report.subscores[d]), areaStyle: { opacity: 0.25 } }] }],
  });
  // One line per scorecard version: a challenger's score of the same day is not a
  // change of the person's score.
  const versions = [...new Set(report.history.map((h) => h.scorecard_version))];
  chart("chart-history", {
    grid: { left: 48, right: 16, top: 40, bottom: 32 },
    legend: { data: versions, type: "scroll", top: 0 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: [...new Set(report.history.map((h) => day(h.as_of)))] },
    yAxis: { type: "value", min: MIN_SCORE, max: MAX_SCORE },
    series: versions.map((version) => ({
      name: version,
      type: "line",
      symbolSize: 8,
      connectNulls: true,
      data: [...new Set(report.history.map((h) => day(h.as_of)))].map(
        (d) => report.history.find((h) => h.scorecard_version === version && day(h.as_of) === d)?.score ?? null,
      ),
    })),
  });
}

boot({ kinds: ["citizen", "operator"], load, render });
