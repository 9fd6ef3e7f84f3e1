// Sign-in: check the key with the API, remember it for this tab, go to the key's home page.
import { api, boot, homePage, showError, signIn, t } from "./common.js";

boot({
  kinds: null,
  load: async () => ({}),
  render: () => {},
});

document.getElementById("signin").addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = document.getElementById("key").value.trim();
  try {
    const who = await api("/v1/console/whoami", { key });
    signIn(key, who.kind);
    location.href = homePage(who.kind);
  } catch (error) {
    showError(`${t("signin.unknown")} ${error.message}`);
  }
});
