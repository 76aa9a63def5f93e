// Autosave a scorecard draft as it is typed, and once more when the tab is hidden or closed,
// so that nothing typed is lost on a slow network or a closed tab. Without JavaScript the
// "Save draft" button does the same.
(function () {
  "use strict";
  var form = document.getElementById("scorecard-form");
  if (!form || !form.dataset.autosaveUrl) {
    return;
  }
  var url = form.dataset.autosaveUrl;
  var status = document.getElementById("autosave-status");
  var timer = null;
  var dirty = false;

  function show(html) {
    if (status) {
      status.innerHTML = html;
    }
  }

  function schedule(delay) {
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(save, delay);
  }

  function save() {
    timer = null;
    if (!dirty) {
      return;
    }
    dirty = false;
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (text) {
          show(text);
        });
      })
      .catch(function () {
        dirty = true;
        show("Not saved yet: the connection dropped. Trying again…");
        schedule(5000);
      });
  }

  form.addEventListener("input", function () {
    dirty = true;
    schedule(800);
  });
  form.addEventListener("change", function () {
    dirty = true;
    schedule(150);
  });
  form.addEventListener("submit", function () {
    dirty = false;
    if (timer) {
      clearTimeout(timer);
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty && navigator.sendBeacon) {
      dirty = false;
      navigator.sendBeacon(url, new FormData(form));
    }
  });
  var errors = document.getElementById("form-errors");
  if (errors) {
    errors.focus();
  }
})();
