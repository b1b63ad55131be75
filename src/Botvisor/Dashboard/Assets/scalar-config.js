// The API docs (/ui) with the dashboard's session: a request tried there carries the session's token,
// as the dashboard's own requests do (Scalar calls onRequestBuilt with the Request it sends).
export default {
  onRequestBuilt({ request }) {
    if (new URL(request.url).origin !== location.origin) return;
    if (request.headers.has("authorization")) return; // a bearer token typed into the docs needs no session
    const token = localStorage.getItem("botvisor.session-token");
    if (token) request.headers.set("X-CSRF-Token", token);
  },
};
