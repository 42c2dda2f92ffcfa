// Ballot page: the receipt code, and drag-and-drop ranking as an enhancement of number inputs.
// The receipt code is made here, shown to the voter, and only its SHA-256 is sent with the ballot.
// The code lives only in this page's memory: it is never written to sessionStorage, localStorage
// or a cookie, where anyone later at this browser could read which receipt is the voter's.
(function () {
  "use strict";

  function hex(bytes) {
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function grouped(code) {
    return code.match(/.{4}/g).join("-");
  }

  // Makes a new code, shows it and puts its hash in the form; returns a promise that settles
  // when the form is ready to send.
  function newCode(form) {
    var output = document.getElementById("receipt-code");
    var field = form.querySelector("input[name=receipt_hash]");
    if (!output || !field || !window.crypto || !window.crypto.subtle) {
      if (output) output.textContent = "Your browser cannot make a receipt code, so it cannot vote here.";
      return Promise.reject(new Error("no receipt"));
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var code = hex(bytes);
    return window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(code)).then(function (digest) {
      field.value = hex(new Uint8Array(digest));
      output.textContent = grouped(code);
    });
  }

  // The ballot is sent from this page, and a ballot that comes back with a problem replaces
  // only the answers and the error summary: the receipt code the voter has written down stays
  // the one sent when they fix the problem. A reloaded page would have to make another, since
  // the code is kept nowhere but here.
  function sendInPlace(form, ready) {
    var problems = document.getElementById("vote-problems");
    var button = form.querySelector("button[type=submit]");

    function showProblem(text) {
      problems.innerHTML = "";
      var box = document.createElement("div");
      box.className = "error-summary";
      box.setAttribute("role", "alert");
      box.setAttribute("tabindex", "-1");
      var heading = document.createElement("h2");
      heading.textContent = "There is a problem";
      var line = document.createElement("p");
      line.textContent = text;
      box.appendChild(heading);
      box.appendChild(line);
      problems.appendChild(box);
      box.focus();
    }

    function takeAnswersFrom(html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      var answers = fresh.getElementById("vote-answers");
      var freshProblems = fresh.getElementById("vote-problems");
      if (!answers || !freshProblems) return false;
      document.getElementById("vote-answers").replaceWith(document.importNode(answers, true));
      problems.innerHTML = freshProblems.innerHTML;
      Array.prototype.forEach.call(form.querySelectorAll(".ranking"), setUpRanking);
      if (answers.hasAttribute("data-receipt-refused")) {
        // The server refused the code (already in use): only then does it change, and the
        // voter is told to write down the new one.
        document.getElementById("receipt-renewed").hidden = false;
        ready = newCode(form);
      }
      var summary = problems.querySelector("[data-error-summary]");
      if (summary) summary.focus();
      return true;
    }

    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.DOMParser) return; // the browser sends it the usual way
      event.preventDefault();
      if (button) button.disabled = true;
      ready.then(function () {
        return fetch(form.action || window.location.href, {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          headers: { "X-Ballot-In-Place": "1" },
          // A redirect is followed by the page itself, so that a message it carries is shown there.
          redirect: "manual",
        });
      }).then(function (response) {
        if (response.type === "opaqueredirect") {
          // Cast, or refused for a reason the ballot's page explains (it has closed, say): the
          // "cast" page sends a member who has not voted on to the ballot's page.
          window.location.assign(form.getAttribute("data-after"));
          return;
        }
        return response.text().then(function (html) {
          if (!takeAnswersFrom(html)) {
            showProblem("Your ballot could not be sent. Your receipt code is unchanged: try again.");
          }
          if (button) button.disabled = false;
        });
      }).catch(function () {
        showProblem("Your ballot could not be sent (no connection?). Your receipt code is unchanged: try again.");
        if (button) button.disabled = false;
      });
    });
  }

  // Drag-and-drop: dropping a candidate puts it at that place, and the ranked candidates are
  // renumbered in list order. The number inputs remain the way to rank by keyboard.
  function setUpRanking(list) {
    var dragged = null;
    var items = list.querySelectorAll(".ranking-item");
    Array.prototype.forEach.call(items, function (item) {
      item.setAttribute("draggable", "true");
      item.classList.add("draggable");
      item.addEventListener("dragstart", function (event) {
        dragged = item;
        item.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", "");
      });
      item.addEventListener("dragend", function () {
        item.classList.remove("dragging");
        dragged = null;
      });
      item.addEventListener("dragover", function (event) {
        if (!dragged || dragged === item) return;
        event.preventDefault();
        var box = item.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? item.nextSibling : item);
      });
      item.addEventListener("drop", function (event) {
        event.preventDefault();
        if (!dragged) return;
        var input = dragged.querySelector("input");
        if (input && !input.value) input.value = "0";
        renumber(list);
      });
    });
  }

  function renumber(list) {
    var rank = 1;
    Array.prototype.forEach.call(list.querySelectorAll(".ranking-item input"), function (input) {
      if (input.value !== "") {
        input.value = String(rank);
        rank += 1;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("vote-form");
    if (form) {
      var ready = newCode(form);
      ready.catch(function () {});
      sendInPlace(form, ready);
      Array.prototype.forEach.call(form.querySelectorAll(".ranking"), setUpRanking);
    }
  });
})();
