// Botvisor sign-in page: a one-time link (?code=…) signs in at once; the code leaves the address bar first.
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const form = document.getElementById("login-form");
  document.getElementById("next").value = params.get("next") || "";
  const code = params.get("code");
  if (!code) return;
  history.replaceState(null, "", location.pathname);
  document.getElementById("code").value = code;
  const token = document.getElementById("token");
  token.required = false;
  token.value = "";
  form.querySelector(".linking").hidden = false;
  form.submit();
})();
