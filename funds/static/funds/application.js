// An application's page: a step whose outcome is chosen in a select (初审, 局务会) asks the question of the
// chosen outcome. Each option carries its question (data-confirm); it is copied onto the form, where
// portal.js asks it on submit. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  function follow(select) {
    var option = select.options[select.selectedIndex];
    var question = option && option.getAttribute("data-confirm");
    if (question && select.form) {
      select.form.setAttribute("data-confirm", question);
    }
  }
  function start() {
    var selects = document.querySelectorAll("#application-actions select");
    for (var i = 0; i < selects.length; i++) {
      follow(selects[i]);
    }
  }
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.tagName === "SELECT" && el.closest && el.closest("#application-actions")) {
      follow(el);
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
