// The relative-rest guide, one question at a time.
//
// The page works without this script: every question is a section, answers
// are plain links, and CSS shows the :target section. This script only
// enhances that markup. It keeps the answers given so far in the URL hash
// (#path=emergency:1,same-day:1, each step a question id and the 0-based
// answer chosen), so reloading and the browser's Back button keep the
// reader's place; it adds Back and Start over buttons, a list of the answers
// so far, moves focus to each new heading and announces the change. It makes
// no network request and writes no HTML from the data: all text goes in
// through textContent.
(function () {
  'use strict';

  var dataEl = document.getElementById('decision-tree-data');
  var root = document.getElementById('dtree');
  if (!dataEl || !root || !window.history || !history.replaceState) return;
  var tree;
  try {
    tree = JSON.parse(dataEl.textContent);
  } catch (e) {
    return; // the no-JavaScript page still works
  }

  var questions = {};
  tree.questions.forEach(function (q) { questions[q.id] = q; });

  function sectionOf(id) {
    return document.getElementById((questions[id] ? 'q-' : 'o-') + id);
  }

  // Steps are [{q: question, a: answer index}]. Reading stops at the first
  // step that does not follow from the one before, so an edited or stale
  // hash falls back to the longest valid start instead of breaking the page.
  function parsePath(text) {
    var steps = [];
    var at = tree.start;
    var parts = text ? text.split(',') : [];
    for (var i = 0; i < parts.length; i++) {
      var m = /^([a-z0-9-]+):(\d+)$/.exec(parts[i]);
      var q = questions[at];
      if (!m || !q || m[1] !== at || Number(m[2]) >= q.answers.length) break;
      steps.push({ q: q, a: Number(m[2]) });
      at = q.answers[Number(m[2])].next;
    }
    return steps;
  }

  function pathHash(steps) {
    return '#path=' + steps.map(function (s) { return s.q.id + ':' + s.a; }).join(',');
  }

  function currentId(steps) {
    if (!steps.length) return tree.start;
    var last = steps[steps.length - 1];
    return last.q.answers[last.a].next;
  }

  // A no-JavaScript link (#q-ID or #o-ID) names a place, not a route; the
  // shortest route there from the start stands in for it.
  function routeTo(target) {
    var seen = {};
    var queue = [{ id: tree.start, steps: [] }];
    seen[tree.start] = true;
    while (queue.length) {
      var item = queue.shift();
      if (item.id === target) return item.steps;
      var q = questions[item.id];
      if (!q) continue;
      q.answers.forEach(function (ans, i) {
        if (seen[ans.next]) return;
        seen[ans.next] = true;
        queue.push({ id: ans.next, steps: item.steps.concat([{ q: q, a: i }]) });
      });
    }
    return null;
  }

  // Returns the steps the hash stands for, or null for a hash that is not
  // the guide's (the skip link's #main, say), which leaves the guide as it is.
  function stepsFromHash() {
    var hash = location.hash;
    if (hash === '' || hash === '#') return [];
    if (hash.indexOf('#path=') === 0) return parsePath(hash.slice(6));
    var m = /^#[qo]-([a-z0-9-]+)$/.exec(hash);
    return m ? routeTo(m[1]) : null;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  root.classList.add('dt-js');
  document.querySelectorAll('.dt-nojs-hint').forEach(function (hint) { hint.hidden = true; });

  var live = el('p', 'visually-hidden');
  live.setAttribute('aria-live', 'polite');
  live.id = 'dt-live';

  var controls = el('div', 'dt-controls');
  var back = el('button', 'dt-back', 'Back');
  var restart = el('button', 'dt-start-over button-quiet', 'Start over');
  back.type = restart.type = 'button';
  controls.appendChild(back);
  controls.appendChild(restart);

  var summary = el('section', 'dt-summary');
  summary.setAttribute('aria-labelledby', 'dt-summary-h');
  var summaryHeading = el('h2', '', 'Your answers so far');
  summaryHeading.id = 'dt-summary-h';
  var summaryList = el('ol', 'dt-summary-list');
  summary.appendChild(summaryHeading);
  summary.appendChild(summaryList);

  root.appendChild(controls);
  root.appendChild(summary);
  root.appendChild(live);

  var steps = [];

  function renderSummary() {
    summaryList.textContent = '';
    steps.forEach(function (s, i) {
      var item = el('li');
      var name = s.q.summary || s.q.text;
      item.appendChild(el('span', 'dt-summary-q', name + (/[?:]$/.test(name) ? ' ' : ': ')));
      item.appendChild(el('strong', 'dt-summary-a', s.q.answers[s.a].label));
      item.appendChild(document.createTextNode(' '));
      var change = el('a', 'dt-change', 'Change');
      change.href = pathHash(steps.slice(0, i));
      change.appendChild(el('span', 'visually-hidden', ' your answer to: ' + name));
      item.appendChild(change);
      summaryList.appendChild(item);
    });
    summary.hidden = steps.length === 0;
  }

  function announce(section, id) {
    var heading = section.querySelector('h2');
    var title = heading ? heading.textContent : '';
    if (questions[id]) {
      live.textContent = 'Question ' + (steps.length + 1) + ': ' + title;
    } else {
      var verdict = section.querySelector('.dt-verdict');
      live.textContent = 'Your result: ' + title + '. ' + (verdict ? verdict.textContent : '');
    }
  }

  function render(moveFocus) {
    var id = currentId(steps);
    var current = sectionOf(id);
    root.querySelectorAll('.dt-node').forEach(function (section) {
      section.classList.toggle('dt-current', section === current);
    });
    if (questions[id]) {
      current.querySelectorAll('a.dt-answer').forEach(function (link) {
        var a = Number(link.getAttribute('data-answer'));
        link.href = pathHash(steps.concat([{ q: questions[id], a: a }]));
      });
    }
    back.hidden = restart.hidden = steps.length === 0;
    renderSummary();
    if (moveFocus) {
      var heading = current.querySelector('h2');
      if (heading) heading.focus();
      announce(current, id);
    }
  }

  function go(newSteps) {
    location.hash = pathHash(newSteps);
  }

  // Each history entry the guide makes remembers the guide's hash before
  // it, so Back can step back through history when the previous entry is
  // the previous question, instead of pushing a new entry that the
  // browser's own Back button would then undo.
  back.addEventListener('click', function () {
    var previous = pathHash(steps.slice(0, -1));
    if (history.state && history.state.dtFrom === previous) history.back();
    else go(steps.slice(0, -1));
  });
  restart.addEventListener('click', function () { go([]); });

  var shownHash = null; // the guide's hash last shown; null until the guide has one

  function sync(moveFocus) {
    var found = stepsFromHash();
    if (found === null) {
      // Another in-page link (a citation, the skip link) keeps the place;
      // on first load there is no place yet, so the guide starts.
      if (shownHash === null) render(false);
      return;
    }
    steps = found;
    var canonical = pathHash(steps);
    var state = history.state && history.state.dtFrom !== undefined ? history.state : null;
    if (moveFocus && !state) state = { dtFrom: shownHash };
    if (location.hash !== '' && (location.hash !== canonical || state !== history.state)) {
      history.replaceState(state, '', canonical);
    }
    shownHash = canonical;
    render(moveFocus);
  }

  window.addEventListener('hashchange', function () { sync(true); });
  sync(false);
}());
