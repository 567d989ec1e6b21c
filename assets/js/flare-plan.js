/* The flare-up plan's form. The page works without this script as a blank
 * form to print and fill in by hand. With it: a Print button (window.print
 * only), the answers kept in this browser's localStorage and nowhere else,
 * and a copy of each answer in a block that prints in full, because a
 * printed textarea shows only what fits in its box. */
(function () {
  'use strict';

  var STORAGE_KEY = 'lumbar-flare-plan';
  var plan = document.getElementById('my-plan');
  if (!plan) return;
  var fields = plan.querySelectorAll('textarea');
  var actions = document.getElementById('flare-plan-actions');
  var printButton = document.getElementById('flare-plan-print');
  var clearButton = document.getElementById('flare-plan-clear');
  var notice = document.getElementById('flare-plan-storage');
  var status = document.getElementById('flare-plan-status');
  var storage = usableStorage();

  // localStorage can be missing or throw (private windows, blocked
  // storage, file: URLs); the page then says nothing about saving.
  function usableStorage() {
    try {
      var s = window.localStorage;
      s.setItem(STORAGE_KEY + '-test', '1');
      s.removeItem(STORAGE_KEY + '-test');
      return s;
    } catch (e) {
      return null;
    }
  }

  function load() {
    if (!storage) return {};
    try {
      var saved = JSON.parse(storage.getItem(STORAGE_KEY) || '{}');
      return saved && typeof saved === 'object' ? saved : {};
    } catch (e) {
      return {};
    }
  }

  function save() {
    if (!storage) return;
    var answers = {};
    var any = false;
    Array.prototype.forEach.call(fields, function (field) {
      if (field.value.trim() !== '') {
        answers[field.name] = field.value;
        any = true;
      }
    });
    try {
      if (any) storage.setItem(STORAGE_KEY, JSON.stringify(answers));
      else storage.removeItem(STORAGE_KEY);
    } catch (e) { /* full or blocked: the form still works */ }
  }

  // Each answer is mirrored into a block after its textarea; print CSS
  // shows the block instead of the box once the field has text.
  function mirror(field) {
    var copy = field.nextElementSibling;
    if (!copy || !copy.classList.contains('flare-plan-answer')) {
      copy = document.createElement('div');
      copy.className = 'flare-plan-answer';
      copy.setAttribute('aria-hidden', 'true');
      field.parentNode.insertBefore(copy, field.nextSibling);
    }
    copy.textContent = field.value;
    field.parentNode.classList.toggle('is-filled', field.value.trim() !== '');
  }

  var saved = load();
  Array.prototype.forEach.call(fields, function (field) {
    if (typeof saved[field.name] === 'string') field.value = saved[field.name];
    mirror(field);
    field.addEventListener('input', function () {
      mirror(field);
      save();
      status.textContent = '';
    });
  });

  printButton.addEventListener('click', function () { window.print(); });
  clearButton.addEventListener('click', function () {
    Array.prototype.forEach.call(fields, function (field) {
      field.value = '';
      mirror(field);
    });
    save();
    status.textContent = storage ? 'Your answers have been cleared from this device.' : 'Your answers have been cleared.';
  });
  window.addEventListener('beforeprint', function () {
    Array.prototype.forEach.call(fields, mirror);
  });

  actions.hidden = false;
  if (storage) notice.hidden = false;
}());
