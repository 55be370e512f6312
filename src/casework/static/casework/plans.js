/* Service plans: the print button of the plain-language plan. Loaded as a file (CSP). */
(function () {
  "use strict";
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest ? evt.target.closest("[data-print]") : null;
    if (button) {
      evt.preventDefault();
      window.print();
    }
  });
})();
