// What every console page shares: the key, calls to the API, the header with the
// language switch, small DOM helpers, charts, and the data-ready signal.
import { applyI18n, lang, setLang, t } from "./i18n.js";

export { lang, t };

const KEY = "socialcredit.console.key";
const KIND = "socialcredit.console.kind";

export const TIER_COLOURS = {
  poor: "#c0392b",
  fair: "#e67e22",
  good: "#f1c40f",
  very_good: "#7cb342",
  excellent: "#2e7d32",
};

export function apiKey() {
  return sessionStorage.getItem(KEY);
}

export function kind() {
  return sessionStorage.getItem(KIND);
}

export function signIn(key, keyKind) {
  sessionStorage.setItem(KEY, key);
  sessionStorage.setItem(KIND, keyKind);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(KIND);
  location.href = "index.html";
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** JSON from the API with the signed-in key; throws ApiError with the API's message. */
export async function api(path, { method = "GET", body, key = apiKey() } = {}) {
  const headers = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = data?.error?.message ?? data?.detail ?? response.statusText;
    throw new ApiError(response.status, String(message));
  }
  return data;
}

/** An element: ``el("td", {class: "num"}, "12")``; children may be strings or nodes. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** A table: ``headers`` are [label, className] pairs or labels; rows are arrays of cells. */
export function table(headers, rows, { caption, rowClass } = {}) {
  const head = el(
    "tr",
    {},
    headers.map((h) => {
      const [label, cls] = Array.isArray(h) ? h : [h, null];
      return el("th", { scope: "col", class: cls }, label);
    }),
  );
  const body = rows.map((row, i) =>
    el(
      "tr",
      { class: rowClass ? rowClass(i) : null },
      row.map((cell, j) => {
        const cls = Array.isArray(headers[j]) ? headers[j][1] : null;
        return el("td", { class: cls }, cell);
      }),
    ),
  );
  return el(
    "div",
    { class: "scroll" },
    el("table", {}, caption ? el("caption", { class: "muted" }, caption) : null, el("thead", {}, head), el("tbody", {}, body)),
  );
}

export function number(value, digits = 0) {
  if (value === null || value === undefined) return "–";
  return Number(value).toLocaleString(lang() === "zh" ? "zh-CN" : "en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function percent(value) {
  return `${number(value * 100, 2)}%`;
}

export function signed(value) {
  if (value === null || value === undefined) return "–";
  const text = number(Math.abs(value));
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : "0";
}

export function day(iso) {
  return iso ? String(iso).slice(0, 10) : "–";
}

/** A label from the strings table, or the code itself when there is none. */
export function label(prefix, code) {
  if (code === null || code === undefined) return "–";
  const text = t(`${prefix}.${code}`);
  return text === `${prefix}.${code}` ? code : text;
}

export function tierName(tier) {
  return t(`tier.${tier}`);
}

export function replace(id, ...children) {
  const node = document.getElementById(id);
  node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined));
  return node;
}

export function showError(message) {
  replace("error", message ?? "");
}

export function showNotice(message) {
  replace("notice", message ?? "");
}

/** Draw (or redraw) an ECharts chart in the element ``id``; no animation, so a page is
 * finished drawing when its code returns. */
export function chart(id, option) {
  const node = document.getElementById(id);
  const instance = echarts.getInstanceByDom(node) ?? echarts.init(node, null, { renderer: "canvas" });
  instance.setOption({ animation: false, ...option }, true);
  return instance;
}

window.addEventListener("resize", () => {
  for (const node of document.querySelectorAll(".chart")) window.echarts?.getInstanceByDom(node)?.resize();
});

/** The link to a person's report (operators state why they open it). */
export function reportLink(subjectKey, purpose, text) {
  const href = `report.html?subject=${encodeURIComponent(subjectKey)}&purpose=${purpose}`;
  return el("a", { href, class: "key", title: subjectKey }, text ?? `${subjectKey.slice(0, 12)}…`);
}

const NAV = {
  operator: [
    ["dashboard.html", "nav.dashboard"],
    ["disputes.html", "nav.disputes"],
    ["scorecard.html", "nav.scorecard"],
  ],
  partner: [["disputes.html", "nav.disputes"]],
  citizen: [
    ["report.html", "nav.report"],
    ["certificates.html", "nav.certificates"],
  ],
};

export function homePage(keyKind) {
  return NAV[keyKind]?.[0]?.[0] ?? "index.html";
}

function header(rerender) {
  const here = location.pathname.split("/").pop() || "index.html";
  const links = (NAV[kind()] ?? []).map(([href, label]) =>
    el("a", { href, "data-i18n": label, "aria-current": href === here ? "page" : null }),
  );
  const switcher = el("button", {
    type: "button",
    class: "lang",
    id: "lang-switch",
    "data-i18n": "lang.switch",
    "data-i18n-aria": "lang.switch.label",
    onclick: () => {
      setLang(lang() === "zh" ? "en" : "zh");
      applyI18n();
      rerender();
    },
  });
  const out = apiKey()
    ? el("button", { type: "button", class: "lang", "data-i18n": "nav.signout", onclick: signOut })
    : null;
  return el(
    "header",
    { class: "bar" },
    el("span", { class: "brand", "data-i18n": "brand" }),
    links.length ? el("nav", { "aria-label": "Pages" }, links) : null,
    switcher,
    out,
  );
}

/** The data on screen (drawn again in the other language on a switch). */
let shown = null;

/**
 * Start a page: header, language, then ``load()`` (the fetches) and ``render(data)``
 * (the DOM and charts). ``body[data-ready]`` is set once both are done (or failed),
 * and ``render`` runs again on every language switch.
 */
export async function boot({ kinds = null, load, render }) {
  const rerender = () => {
    if (shown !== null) render(shown);
  };
  // After the skip link, so that it stays the first thing Tab reaches.
  document.querySelector(".skip").after(header(rerender));
  applyI18n();
  if (kinds !== null) {
    if (!apiKey()) {
      location.href = "index.html";
      return;
    }
    if (!kinds.includes(kind())) {
      location.href = homePage(kind());
      return;
    }
  }
  try {
    shown = await load();
    render(shown);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signOut();
      return;
    }
    showError(error.message);
  } finally {
    document.body.dataset.ready = "true";
  }
}

/** Load again and redraw, e.g. after an action changed the data; ``body[data-ready]``
 * is "false" meanwhile, so that whoever waits for the page waits for this too. */
export async function reload(load, render) {
  document.body.dataset.ready = "false";
  try {
    shown = await load();
    render(shown);
    return shown;
  } finally {
    document.body.dataset.ready = "true";
  }
}
