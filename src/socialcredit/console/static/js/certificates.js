// My certificates (citizen key): ask for one with a live preview of exactly what it will
// show (POST /v1/me/certificates/preview), print it (the service's printable page, whose
// QR code is an inline SVG), download the signed credential, revoke it.
import {
  api,
  apiKey,
  boot,
  day,
  el,
  lang,
  reload,
  replace,
  showError,
  showNotice,
  t,
  table,
  tierName,
} from "./common.js";

const BASE = "/v1/me/certificates";
const DISCLOSURES = ["tier", "band", "score"];

/** The person's choices, kept across redraws (a language switch redraws the page). */
const choice = { disclose: "tier", subscores: false, display_name: "", days: 30 };
let previewed = 0;

async function load() {
  return api(BASE);
}

function request() {
  return {
    disclose: choice.disclose,
    subscores: choice.disclose !== "tier" && choice.subscores,
    display_name: choice.display_name.trim() || null,
    days: Number(choice.days),
  };
}

function range(bounds) {
  return `${bounds.min}–${bounds.max}`;
}

/** The lines a certificate shows, as the printed page shows them. */
function claimRows(subject, names) {
  const zh = lang() === "zh";
  const rows = [];
  if (subject.name) rows.push([t("cert.name"), subject.name]);
  rows.push([t("cert.tier"), tierName(subject.tier)]);
  const scale = subject.scoreRange ? ` (${t("cert.scale")} ${range(subject.scoreRange)})` : "";
  if (subject.scoreBand) rows.push([t("cert.band"), `${range(subject.scoreBand)}${scale}`]);
  if (subject.score !== undefined) rows.push([t("cert.score"), `${subject.score}${scale}`]);
  for (const [dimension, value] of Object.entries(subject.subscores ?? {})) {
    const name = names?.[dimension] ? (zh ? names[dimension].zh : names[dimension].en) : dimension;
    rows.push([name, typeof value === "object" ? range(value) : String(value)]);
  }
  rows.push([t("cert.asof"), subject.scoreAsOf]);
  return rows;
}

async function updatePreview() {
  const holder = document.getElementById("preview");
  if (!holder) return;
  const mine = ++previewed;
  const days = Number(choice.days);
  if (!Number.isInteger(days) || days < 1 || days > 30) {
    // Refused here rather than by the service: a certificate is valid 1 to 30 days.
    holder.replaceChildren(el("p", { class: "error" }, t("cert.days.invalid")));
    holder.dataset.state = "error";
    return;
  }
  holder.dataset.state = "loading";
  try {
    const shown = await api(`${BASE}/preview`, { method: "POST", body: request() });
    if (mine !== previewed) return; // a later choice is being previewed
    const rows = claimRows(shown.credentialSubject, shown.dimension_names);
    rows.push([t("cert.valid"), shown.validUntil.replace("T", " ").replace("Z", " UTC")]);
    holder.replaceChildren(
      el("table", { class: "claims" }, el("tbody", {}, rows.map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), el("td", {}, v))))),
    );
    holder.dataset.state = "ready";
  } catch (error) {
    if (mine !== previewed) return;
    holder.replaceChildren(el("p", { class: "error" }, error.message));
    holder.dataset.state = "error";
  }
}

function issueForm() {
  const radios = DISCLOSURES.map((d) =>
    el(
      "label",
      { class: "choice" },
      el("input", {
        type: "radio",
        name: "disclose",
        value: d,
        checked: choice.disclose === d,
        onchange: () => {
          choice.disclose = d;
          subscores.disabled = d === "tier";
          updatePreview();
        },
      }),
      ` ${t(`cert.disclose.${d}`)}`,
    ),
  );
  const subscores = el("input", {
    type: "checkbox",
    id: "subscores",
    checked: choice.subscores,
    disabled: choice.disclose === "tier",
    onchange: (e) => {
      choice.subscores = e.target.checked;
      updatePreview();
    },
  });
  const name = el("input", {
    type: "text",
    id: "display-name",
    maxlength: 80,
    value: choice.display_name,
    oninput: (e) => {
      choice.display_name = e.target.value;
      updatePreview();
    },
  });
  const days = el("input", {
    type: "number",
    id: "days",
    min: 1,
    max: 30,
    value: choice.days,
    oninput: (e) => {
      choice.days = e.target.value;
      updatePreview();
    },
  });
  const form = el(
    "form",
    { id: "issue", class: "stack" },
    el("fieldset", {}, el("legend", {}, t("cert.disclose")), radios),
    el("label", { class: "choice" }, subscores, ` ${t("cert.subscores")}`),
    el("label", { for: "display-name" }, t("cert.name.label")),
    name,
    el("label", { for: "days" }, t("cert.days")),
    days,
    el("p", {}, el("button", { type: "submit" }, t("cert.issue"))),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const issued = await api(BASE, { method: "POST", body: request() });
      showError("");
      showNotice(t("cert.issued", { date: day(issued.expires_at) }));
      await reload(load, render);
    } catch (error) {
      button.disabled = false;
      showError(error.message);
    }
  });
  return form;
}

async function printable(certificate) {
  // The page needs the key, so it is fetched here and shown in a frame of its own.
  const response = await fetch(`${BASE}/${encodeURIComponent(certificate.id)}/page?lang=${lang()}`, {
    headers: { Authorization: `Bearer ${apiKey()}` },
  });
  if (!response.ok) throw new Error((await response.json()).error.message);
  const frame = el("iframe", { id: "printable-frame", title: t("cert.printable"), srcdoc: await response.text() });
  replace(
    "printable",
    el("h2", { id: "printable-title" }, t("cert.printable")),
    el("p", {}, el("button", { type: "button", id: "print", onclick: () => frame.contentWindow.print() }, t("cert.print"))),
    frame,
  );
  document.getElementById("printable").hidden = false;
}

async function download(certificate) {
  const full = await api(`${BASE}/${encodeURIComponent(certificate.id)}`);
  const blob = new Blob([JSON.stringify(full.credential, null, 2)], { type: "application/json" });
  const link = el("a", { href: URL.createObjectURL(blob), download: `certificate-${certificate.id}.json` });
  document.body.append(link);
  link.click();
  link.remove();
}

function revokeForm(certificate, holder) {
  const form = el(
    "form",
    { class: "inline revoke", "data-certificate": certificate.id },
    el("button", { type: "submit" }, t("cert.revoke.confirm")),
    el("button", { type: "button", class: "secondary", onclick: () => form.remove() }, t("cert.cancel")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelector("button").disabled = true;
    try {
      await api(`${BASE}/${encodeURIComponent(certificate.id)}`, { method: "DELETE" });
      showNotice(t("cert.revoked"));
      await reload(load, render);
    } catch (error) {
      showError(error.message);
    }
  });
  holder.replaceChildren(form);
}

function act(action, certificate) {
  return async () => {
    try {
      await action(certificate);
    } catch (error) {
      showError(error.message);
    }
  };
}

function shows(certificate) {
  const parts = [t(`cert.shows.${certificate.disclose}`)];
  if (certificate.claims.subscores) parts.push(t("cert.shows.subscores"));
  if (certificate.claims.name) parts.push(`“${certificate.claims.name}”`);
  return parts.join(" ");
}

function listSection(certificates) {
  const holder = el("div", {});
  const rows = certificates.map((c) => [
    day(c.issued_at),
    shows(c),
    day(c.expires_at),
    el("span", { class: `badge ${c.state}` }, t(`cert.state.${c.state}`)),
    el(
      "span",
      { class: "actions", "data-certificate": c.id },
      el("button", { type: "button", class: "secondary print", onclick: act(printable, c) }, t("cert.print")),
      " ",
      el("button", { type: "button", class: "secondary download", onclick: act(download, c) }, t("cert.download")),
      " ",
      c.state === "active"
        ? el("button", { type: "button", class: "secondary revoke", onclick: () => revokeForm(c, holder) }, t("cert.revoke"))
        : null,
    ),
  ]);
  return el(
    "section",
    { class: "card wide", "aria-labelledby": "mine-title" },
    el("h2", { id: "mine-title" }, `${t("cert.mine")} (${certificates.length})`),
    certificates.length
      ? table([t("cert.issued.at"), t("cert.shows"), t("cert.valid"), t("cert.state"), ""], rows)
      : el("p", {}, t("none")),
    holder,
  );
}

function render(data) {
  replace(
    "content",
    el("p", { class: "muted" }, t("cert.intro")),
    el(
      "div",
      { class: "grid" },
      el("section", { class: "card", "aria-labelledby": "new-title" }, el("h2", { id: "new-title" }, t("cert.new")), issueForm()),
      el(
        "section",
        { class: "card", "aria-labelledby": "preview-title" },
        el("h2", { id: "preview-title" }, t("cert.preview")),
        el("p", { class: "muted" }, t("cert.preview.note")),
        el("div", { id: "preview", "aria-live": "polite", "data-state": "loading" }),
      ),
      listSection(data.certificates),
      el("section", { id: "printable", class: "card wide", hidden: true }),
    ),
  );
  updatePreview();
}

boot({ kinds: ["citizen"], load, render });
