/* Casework's own behaviour, kept small. Loaded as a file: the CSP forbids inline scripts. */
(function () {
  "use strict";

  // Say what changed after htmx replaces part of the page, for screen-reader users.
  function announce(text) {
    var region = document.getElementById("live-region");
    if (!region || !text) {
      return;
    }
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 50);
  }

  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail.target;
    var source = target && target.querySelector ? target.querySelector("[data-announce]") : null;
    if (source) {
      announce(source.textContent.replace(/\s+/g, " ").trim());
    }
    var banner = document.getElementById("ajax-error");
    if (banner) {
      banner.textContent = "";
    }
  });

  // Partials never start with a doctype. A whole page means the request was redirected
  // (signed out after being idle, two-factor set-up required): go there instead.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr && /^\s*<!doctype html/i.test(xhr.responseText || "") && xhr.responseURL) {
      evt.detail.shouldSwap = false;
      window.location.assign(xhr.responseURL);
    }
  });

  // A partial update that fails would otherwise do nothing visible.
  function showError(message) {
    var banner = document.getElementById("ajax-error");
    if (banner) {
      banner.textContent = message;
      banner.focus();
    }
  }

  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    var body = document.body;
    if (status === 403) {
      showError(body.getAttribute("data-msg-forbidden"));
    } else if (status === 404) {
      showError(body.getAttribute("data-msg-not-found"));
    } else {
      showError(body.getAttribute("data-msg-error"));
    }
  });

  document.addEventListener("htmx:sendError", function () {
    showError(document.body.getAttribute("data-msg-offline"));
  });

  // Plain forms that change something important ask first (htmx forms use hx-confirm).
  document.addEventListener(
    "submit",
    function (evt) {
      var form = evt.target;
      var button = evt.submitter;
      var question =
        (button && button.getAttribute("data-confirm")) ||
        (form.getAttribute && form.getAttribute("data-confirm"));
      if (question && !window.confirm(question)) {
        evt.preventDefault();
        evt.stopImmediatePropagation();
      }
    },
    true
  );

  // Formsets: "Add a row" copies the empty row kept in a <template>.
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest ? evt.target.closest("[data-formset-add]") : null;
    if (!button) {
      return;
    }
    var prefix = button.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var rows = document.getElementById(prefix + "-rows");
    if (!total || !template || !rows) {
      return;
    }
    evt.preventDefault();
    var index = parseInt(total.value, 10);
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    var first = rows.lastElementChild && rows.lastElementChild.querySelector("select, input");
    if (first) {
      first.focus();
    }
  });

  // Buttons that only make sense with this script are hidden until it runs.
  document.addEventListener("DOMContentLoaded", function () {
    var needed = document.querySelectorAll("[data-needs-js]");
    for (var i = 0; i < needed.length; i += 1) {
      needed[i].hidden = false;
    }
  });
})();
