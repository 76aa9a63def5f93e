// Read aloud: the button reads the page's question and choices (the elements marked
// data-read) with the browser's speech synthesis. Where that is not available the button
// stays hidden and nothing else changes.
(function () {
  "use strict";
  var button = document.querySelector("[data-read-aloud]");
  if (!button || !("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
    return;
  }
  button.hidden = false;
  button.setAttribute("aria-pressed", "false");

  function stop() {
    window.speechSynthesis.cancel();
    button.setAttribute("aria-pressed", "false");
  }

  button.addEventListener("click", function () {
    if (window.speechSynthesis.speaking) {
      stop();
      return;
    }
    var parts = [];
    document.querySelectorAll("[data-read]").forEach(function (element) {
      var text = element.innerText || element.textContent || "";
      text = text.replace(/\s+/g, " ").trim();
      if (text) {
        parts.push(text);
      }
    });
    if (!parts.length) {
      return;
    }
    var utterance = new SpeechSynthesisUtterance(parts.join(". "));
    utterance.lang = document.documentElement.lang || "en-GB";
    utterance.rate = 0.9;
    utterance.onend = function () {
      button.setAttribute("aria-pressed", "false");
    };
    button.setAttribute("aria-pressed", "true");
    window.speechSynthesis.speak(utterance);
  });
  window.addEventListener("pagehide", stop);
})();
