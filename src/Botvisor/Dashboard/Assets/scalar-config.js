// The API docs (/ui) with the dashboard's session: a request tried there carries the session's CSRF
// token, as the dashboard's own actions do (Scalar calls onRequestBuilt with the Request it sends).
let csrf = null;
async function csrfToken() {
  if (csrf === null) {
    const r = await fetch(new URL("../session", location.href), { credentials: "same-origin", headers: { accept: "application/json" } });
    csrf = r.ok ? (await r.json()).csrfToken : "";
  }
  return csrf;
}
export default {
  async onRequestBuilt({ request }) {
    if (["GET", "HEAD", "OPTIONS"].includes(request.method) || new URL(request.url).origin !== location.origin) return;
    if (request.headers.has("authorization")) return; // a bearer token typed into the docs needs no session
    const token = await csrfToken();
    if (token) request.headers.set("X-CSRF-Token", token);
  },
};
