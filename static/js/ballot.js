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

  function setUpReceipt(form) {
    var output = document.getElementById("receipt-code");
    var field = form.querySelector("input[name=receipt_hash]");
    if (!output || !field || !window.crypto || !window.crypto.subtle) {
      if (output) output.textContent = "Your browser cannot make a receipt code, so it cannot vote here.";
      return;
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var code = hex(bytes);
    window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(code)).then(function (digest) {
      field.value = hex(new Uint8Array(digest));
      output.textContent = grouped(code);
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
      setUpReceipt(form);
      Array.prototype.forEach.call(form.querySelectorAll(".ranking"), setUpRanking);
    }
  });
})();
