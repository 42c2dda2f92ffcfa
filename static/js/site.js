// Rank and File: the few behaviours every page shares. The pages work without it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // GOV.UK error summary: a page that came back with errors puts focus on the summary first.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }

    // Copy boxes: <div class="copy-box"><input readonly id=...><button data-copy="id">Copy</button></div>
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        if (!source) { return; }
        source.select();
        var done = function () { button.textContent = "Copied"; };
        if (navigator.clipboard) { navigator.clipboard.writeText(source.value).then(done, function () {}); }
      });
    });

    // Conditional fields: an element with data-shown-by="<checkbox or radio id>" shows only while it is ticked.
    document.querySelectorAll("[data-shown-by]").forEach(function (block) {
      var control = document.getElementById(block.getAttribute("data-shown-by"));
      if (!control) { return; }
      var sync = function () { block.hidden = !control.checked; };
      var group = control.name ? document.querySelectorAll('input[name="' + control.name + '"]') : [control];
      group.forEach(function (each) { each.addEventListener("change", sync); });
      sync();
    });

    // The header's member menu (<details class="member-menu">): Escape, or a click elsewhere,
    // closes it, as a menu does; Escape gives focus back to its button.
    var menu = document.querySelector("details.member-menu");
    if (menu) {
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
      document.addEventListener("click", function (event) {
        if (menu.open && !menu.contains(event.target)) { menu.open = false; }
      });
    }
  });
})();
