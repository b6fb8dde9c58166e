// htmx: send the CSRF token (set on <body hx-headers>), and show server errors instead of failing silently.
document.body.addEventListener("htmx:responseError", function (evt) {
  var box = document.getElementById("lm-htmx-error");
  if (!box) {
    box = document.createElement("div");
    box.id = "lm-htmx-error";
    box.className = "alert alert-danger position-fixed bottom-0 end-0 m-3";
    document.body.appendChild(box);
  }
  box.textContent = "操作失败(" + evt.detail.xhr.status + "),请刷新页面后重试。";
});

// Buttons marked data-print print the page (the reports workspace has a print stylesheet).
document.addEventListener("click", function (evt) {
  var button = evt.target.closest("[data-print]");
  if (button) { window.print(); }
});
