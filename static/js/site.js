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

    // Character counts: <p data-count-for="<textarea id>" data-count-most="280" hidden> says how
    // many characters are left (runs of spaces count as one, as the server counts them).
    document.querySelectorAll("[data-count-for]").forEach(function (counter) {
      var field = document.getElementById(counter.getAttribute("data-count-for"));
      if (!field) { return; }
      var most = parseInt(counter.getAttribute("data-count-most"), 10);
      var described = field.getAttribute("aria-describedby");
      field.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
      var update = function () {
        var length = field.value.trim().split(/\s+/).join(" ").length;
        var left = most - length;
        counter.textContent = left >= 0
          ? "You have " + left + " character" + (left === 1 ? "" : "s") + " left."
          : "You have " + (-left) + " character" + (left === -1 ? "" : "s") + " too many.";
        counter.classList.toggle("warning-text", left < 0);
      };
      field.addEventListener("input", update);
      counter.hidden = false;
      update();
    });

    // After htmx swaps in new content, an element marked data-focus-on-swap takes the focus
    // (the next statement of a conversation's vote card), so a keyboard user carries on.
    document.body.addEventListener("htmx:afterSettle", function () {
      var target = document.querySelector("[data-focus-on-swap]");
      if (target && target !== document.activeElement) { target.focus(); }
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
