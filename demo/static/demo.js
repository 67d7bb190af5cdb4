// Kith demo shop: loads the tracker with the key from the page URL, and
// plays the shop's own part (thank-you messages, the pop-up offer). The
// tracker itself needs none of this: on a real site the script tag is
// written into the page with the key (tracker/README.md).
(function () {
  'use strict';

  // The tracker key comes from ?key=pk_… and is remembered, so the links
  // between the demo pages need not carry it.
  var params = new URLSearchParams(location.search);
  var key = params.get('key') || '';
  try {
    if (key) localStorage.setItem('kithDemoKey', key);
    else key = localStorage.getItem('kithDemoKey') || '';
  } catch (e) {
    /* storage blocked: the key lasts for this page */
  }

  // Calls made before the tracker has loaded are queued (the tracker's own
  // snippet): the pages use it to show the uuid once the tracker runs.
  window.kith = window.kith || [];

  function $(sel) {
    return document.querySelector(sel);
  }

  function loadTracker() {
    if (!/^pk_/.test(key)) {
      $('#nokey').hidden = false;
      return;
    }
    var s = document.createElement('script');
    // Relative to /demo/: the tracker is served by the same Kith at
    // /sdk/kith.js, and it derives the API address from its own src.
    s.src = new URL('../sdk/kith.js', location.href).href;
    s.async = true;
    s.setAttribute('data-key', key);
    document.head.appendChild(s);
    window.kith.push(function (k) {
      $('#uuid').textContent = k.getUuid();
    });
  }

  // thank replaces a form with a message. The page handles its forms in
  // script (a static site has nowhere to post them); the tracker has
  // already sent the form.submit by then, from its capturing listener.
  function thank(form, text) {
    var p = document.createElement('p');
    p.className = 'thanks';
    p.textContent = text;
    form.replaceWith(p);
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    var kind = form.getAttribute('data-kith-form');
    if (!kind) return;
    ev.preventDefault();
    var email = form.querySelector('[data-kith="email"]');
    var id = form.querySelector('[data-kith="customId"]');
    if (kind === 'login') thank(form, 'Welcome back, card ' + id.value + '.');
    else thank(form, 'Thank you! ' + (email ? email.value : '') + ' is subscribed.');
  });

  // The pop-up offer: a form that is not in the page when the tracker
  // starts, to show that forms added later are caught too.
  var popupShown = false;
  function showPopup() {
    if (popupShown || !$('#popup-slot')) return;
    popupShown = true;
    $('#popup-slot').innerHTML =
      '<div class="popup" role="dialog" aria-label="10% off">' +
      '<h2>10% off your first order</h2>' +
      '<form data-kith-form="popup" data-kith-tags="popup,discount">' +
      '<label>Email <input id="popup-email" name="email" type="email" required data-kith="email"></label>' +
      '<label><input name="consent" type="checkbox" data-kith="agreements.email"> Send me offers by email</label>' +
      '<button id="popup-submit">Get my code</button>' +
      '</form></div>';
  }

  document.addEventListener('DOMContentLoaded', function () {
    loadTracker();
    var offer = $('#offer');
    if (offer) {
      offer.addEventListener('click', showPopup);
      setTimeout(showPopup, 5000);
    }
    var forget = $('#forget');
    if (forget) {
      forget.addEventListener('click', function () {
        window.kith.push(function (k) {
          $('#uuid').textContent = k.reset();
        });
      });
    }
  });
})();
