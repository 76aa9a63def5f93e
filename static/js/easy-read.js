// Easy-read scoring: save each answer as soon as it is chosen (and comments as they are
// typed), and say so in the live region, so that closing the tablet loses nothing. Without
// JavaScript, Back and Next save the answer too.
(function () {
  "use strict";
  var form = document.getElementById("easy-question-form");
  if (!form) {
    return;
  }
  var status = document.getElementById("save-status");
  var timer = null;

  function save() {
    timer = null;
    var data = new FormData(form);
    data.set("action", "autosave");
    if (status) {
      status.textContent = "Saving…";
    }
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("not saved");
        }
        return response.text();
      })
      .then(function (text) {
        if (status) {
          status.textContent = "Your answer is saved. " + text.trim();
        }
      })
      .catch(function () {
        if (status) {
          status.textContent = "Not saved yet. Please press Next to save.";
        }
      });
  }

  function schedule(delay) {
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(save, delay);
  }

  form.addEventListener("change", function () {
    schedule(100);
  });
  form.addEventListener("input", function (event) {
    if (event.target && event.target.tagName === "TEXTAREA") {
      schedule(1000);
    }
  });
  form.addEventListener("submit", function () {
    if (timer) {
      clearTimeout(timer);
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && timer && navigator.sendBeacon) {
      clearTimeout(timer);
      timer = null;
      var data = new FormData(form);
      data.set("action", "autosave");
      navigator.sendBeacon(form.getAttribute("action") || window.location.href, data);
    }
  });
})();
