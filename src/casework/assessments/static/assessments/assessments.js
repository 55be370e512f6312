/* Assessments: show a conditional question only when its condition holds.
   Without this script every question is shown, each with a note saying when to answer it. */
(function () {
  "use strict";

  function answerOf(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    var values = [];
    inputs.forEach(function (input) {
      if (input.type === "checkbox" || input.type === "radio") {
        if (input.checked && !input.closest("[hidden]")) {
          values.push(input.value);
        }
      } else if (!input.closest("[hidden]") && input.value) {
        values.push(input.value);
      }
    });
    return values;
  }

  function update(form) {
    form.querySelectorAll("[data-show-when-question]").forEach(function (question) {
      var values = answerOf(form, question.getAttribute("data-show-when-question"));
      var expected = question.getAttribute("data-show-when-value");
      var operator = question.getAttribute("data-show-when-operator");
      var holds = operator === "contains" ? values.indexOf(expected) !== -1 : values[0] === expected;
      question.hidden = !holds;
    });
  }

  function updateAll() {
    document.querySelectorAll("[data-assessment-form]").forEach(update);
  }

  document.addEventListener("change", function (evt) {
    var form = evt.target.closest ? evt.target.closest("[data-assessment-form]") : null;
    if (form) {
      update(form);
    }
  });
  document.addEventListener("htmx:afterSwap", updateAll);
  document.addEventListener("DOMContentLoaded", updateAll);
})();
