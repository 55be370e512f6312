/* The provider's status update: show the detail fields only for the status that needs them.
   Without scripts every field shows, each with help saying when it is needed. */
(function () {
  "use strict";
  function update(form) {
    var checked = form.querySelector("input[name=status]:checked");
    var status = checked ? checked.value : "";
    form.querySelectorAll("[data-needed-for]").forEach(function (input) {
      var field = input.closest(".field") || input;
      var needed = input.getAttribute("data-needed-for").split(" ").indexOf(status) !== -1;
      field.hidden = !needed;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-provider-update]").forEach(function (form) {
      update(form);
      form.addEventListener("change", function (evt) {
        if (evt.target.name === "status") {
          update(form);
        }
      });
    });
  });
})();
