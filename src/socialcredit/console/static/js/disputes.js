// The dispute queue. Operators: every partner's disputes (GET /v1/operator/disputes),
// and resolving overdue ones in the person's favour (POST /v1/disputes/expire).
// Partners: their own (GET /v1/disputes), answered with POST /v1/disputes/{id}/answer.
import {
  api,
  boot,
  day,
  el,
  kind,
  reload,
  replace,
  reportLink,
  showError,
  showNotice,
  t,
  table,
} from "./common.js";

const operator = kind() === "operator";
let showing = new URLSearchParams(location.search).get("show") === "all" ? "all" : "open";

async function load() {
  if (operator) return api(`/v1/operator/disputes?status=${showing === "all" ? "" : "open"}`);
  const answer = await api(`/v1/disputes${showing === "all" ? "" : "?status=open"}`);
  return { now: null, disputes: answer.disputes };
}

function overdue(d, now) {
  if (d.overdue !== undefined) return d.overdue;
  return d.status === "open" && new Date(`${d.deadline}Z`) < now;
}

function daysLeft(d, now) {
  if (d.status !== "open") return "–";
  return String(Math.floor((new Date(`${d.deadline}Z`) - now) / 86400000));
}

function answerForm(d) {
  const choice = el(
    "select",
    { name: "answer", "aria-label": t("queue.answer") },
    ["confirm", "correct", "delete"].map((a) => el("option", { value: a }, t(`queue.${a}`))),
  );
  const note = el("input", { type: "text", name: "note", required: true, maxlength: 2000, placeholder: t("queue.note"), "aria-label": t("queue.note") });
  const form = el("form", { class: "inline answer", "data-dispute": d.dispute_id }, choice, note, el("button", { type: "submit" }, t("queue.answer")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelector("button").disabled = true;
    try {
      const closed = await api(`/v1/disputes/${encodeURIComponent(d.dispute_id)}/answer`, {
        method: "POST",
        body: { answer: choice.value, note: note.value.trim() },
      });
      showNotice(t("queue.answered", { id: closed.dispute_id, status: t(`status.${closed.status}`) }));
      await reload(load, render);
    } catch (error) {
      form.querySelector("button").disabled = false;
      showError(error.message);
    }
  });
  return form;
}

async function expire() {
  try {
    const answer = await api("/v1/disputes/expire", { method: "POST" });
    showNotice(t("queue.expired", { n: answer.resolved.length }));
    await reload(load, render);
  } catch (error) {
    showError(error.message);
  }
}

function render(data) {
  const now = data.now ? new Date(`${data.now}Z`) : new Date();
  const rows = data.disputes;
  const filter = el(
    "form",
    { class: "inline", method: "get", action: "disputes.html" },
    el("label", { for: "show" }, t("queue.show")),
    el(
      "select",
      { id: "show", name: "show", onchange: (e) => e.target.form.submit() },
      el("option", { value: "open", selected: showing === "open" }, t("queue.open")),
      el("option", { value: "all", selected: showing === "all" }, t("queue.all")),
    ),
  );
  const headers = [t("queue.opened"), t("queue.deadline"), [t("queue.left"), "num"]];
  if (operator) headers.push(t("queue.partner"), t("queue.person"));
  headers.push(t("queue.record"), t("queue.reason"), t("queue.status"));
  if (!operator) headers.push(t("queue.action"));
  const body = rows.map((d) => {
    const late = overdue(d, now);
    const cells = [day(d.opened_at), day(d.deadline), daysLeft(d, now)];
    if (operator) cells.push(d.partner_id, reportLink(d.subject_key, "dispute_review"));
    cells.push(
      `${t(`cat.${d.category}`)} ${d.record_id}`,
      d.reason,
      late ? el("span", { class: "badge overdue" }, t("queue.overdue")) : t(`status.${d.status}`),
    );
    if (!operator) cells.push(d.status === "open" ? answerForm(d) : d.resolution ?? "–");
    return cells;
  });
  const overdueCount = rows.filter((d) => overdue(d, now)).length;
  replace(
    "content",
    el(
      "section",
      { class: "card", "aria-labelledby": "queue-title" },
      el("h2", { id: "queue-title" }, `${showing === "all" ? t("queue.all") : t("queue.open")} (${rows.length})`),
      filter,
      operator
        ? el("p", {}, el("button", { type: "button", id: "expire", onclick: expire, disabled: overdueCount === 0 }, `${t("queue.expire")} (${overdueCount})`))
        : null,
      rows.length
        ? table(headers, body, { rowClass: (i) => (overdue(rows[i], now) ? "overdue" : null) })
        : el("p", {}, t("none")),
    ),
  );
}

boot({ kinds: ["operator", "partner"], load, render });
