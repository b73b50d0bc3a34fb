// 询拍: progressive enhancement only; every form works without this file.
(function () {
  "use strict";
  // Address suggestions on the inquiry form: candidates from the address index, as a datalist.
  var address = document.querySelector("input[data-suggest]");
  if (address) {
    var list = document.getElementById(address.getAttribute("list"));
    var timer = null;
    address.addEventListener("input", function () {
      clearTimeout(timer);
      var q = address.value.trim();
      if (q.length < 2) { return; }
      timer = setTimeout(function () {
        fetch(address.dataset.suggest + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : {candidates: []}; })
          .then(function (data) {
            list.innerHTML = "";
            (data.candidates || []).forEach(function (c) {
              var option = document.createElement("option");
              option.value = c.address;
              option.label = c.label || c.address;
              list.appendChild(option);
            });
          }).catch(function () {});
      }, 200);
    });
  }
  // Job progress (batch quote, bulk publish): poll the status instead of reloading the page.
  var job = document.querySelector("[data-job-status]");
  if (job) {
    var bar = job.querySelector("progress");
    var text = job.querySelector("[data-job-text]");
    var poll = function () {
      fetch(job.dataset.jobStatus, {credentials: "same-origin"}).then(function (r) { return r.json(); })
        .then(function (data) {
          if (bar) { bar.max = data.total || 1; bar.value = data.done; }
          if (text) { text.textContent = data.text; }
          if (data.status === "done" || data.status === "failed") { window.location.reload(); }
          else { setTimeout(poll, 700); }
        }).catch(function () { setTimeout(poll, 2000); });
    };
    var refresh = document.querySelector("meta[http-equiv=refresh]");
    if (refresh) { refresh.parentNode.removeChild(refresh); }
    setTimeout(poll, 500);
  }
  // Confirm destructive or irreversible actions.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
  // Print buttons.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
// The lot form: only the fields of the chosen property kind are shown (all of them without this file).
(function () {
  "use strict";
  var kind = document.querySelector(".lot-form select[name='标的物类型']");
  if (!kind) { return; }
  var apply = function () {
    document.querySelectorAll(".lot-form [data-kinds]").forEach(function (el) {
      el.hidden = kind.value !== "" && el.dataset.kinds.split(" ").indexOf(kind.value) < 0;
    });
  };
  kind.addEventListener("change", apply);
  apply();
})();
