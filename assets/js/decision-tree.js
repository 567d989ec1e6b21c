// The relative-rest guide, one question at a time.
//
// The page works without this script: every question is a section, answers
// are plain links, and CSS shows the :target section. This script enhances
// that markup. The URL hash holds the answers given (#path=emergency:2,
// same-day:2: question ids and 0-based answers), so reload and Back keep
// the place. It adds Back, Start over, a progress cue and the answers so
// far, moves focus to each new heading and announces it. It makes no
// network request and writes all text through textContent.
//
// A link must never answer the safety questions for the reader: the paths
// the reader built are remembered for the visit (sessionStorage), a path
// in the URL counts only as far as the reader built it, and any other
// #path=, #q- or #o- link starts at the first question with a note.
(function () {
  'use strict';

  // The tree is read from its own markup, found by class rather than by id
  // so that a heading elsewhere on the page that happens to get the same
  // id cannot stand in for it.
  var root = document.querySelector('div.dtree');
  if (!root || !window.history || !history.replaceState) return;

  var tree = { start: root.getAttribute('data-start') };
  var questions = {};
  var sections = {};
  root.querySelectorAll('.dt-node').forEach(function (section) {
    var id = section.id.slice(2);
    sections[id] = section;
    if (!section.classList.contains('dt-question')) return;
    var heading = section.querySelector('h2');
    questions[id] = {
      id: id,
      summary: section.getAttribute('data-summary') || (heading ? heading.textContent : id),
      answers: Array.prototype.map.call(section.querySelectorAll('a.dt-answer'), function (link) {
        return { label: link.textContent, next: link.getAttribute('href').slice(3) };
      }),
    };
  });
  if (!questions[tree.start]) return; // the no-JavaScript page still works

  function sectionOf(id) {
    return sections[id];
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

  // The paths the reader built in this visit. Storage can be missing or
  // refuse to write (private modes); the guide then trusts only this page
  // load's own answers, so a reload starts again rather than guessing.
  var STORE = 'lumbar-dtree-answered';
  var answered = {};
  try {
    (JSON.parse(sessionStorage.getItem(STORE)) || []).forEach(function (h) { answered[h] = true; });
  } catch (e) { /* start with none */ }

  function remember(hash) {
    answered[hash] = true;
    try {
      sessionStorage.setItem(STORE, JSON.stringify(Object.keys(answered)));
    } catch (e) { /* kept for this page load only */ }
  }

  // The longest start of steps that the reader answered in this visit.
  function trusted(steps) {
    var n = 0;
    while (n < steps.length && answered[pathHash(steps.slice(0, n + 1))]) n++;
    return steps.slice(0, n);
  }

  function currentId(steps) {
    if (!steps.length) return tree.start;
    var last = steps[steps.length - 1];
    return last.q.answers[last.a].next;
  }

  // Returns { steps, skipped } for the hash, or null for a hash that is not
  // the guide's (the skip link's #main, say), which leaves the guide as it
  // is. skipped is true when the hash pointed past what the reader answered.
  function stepsFromHash() {
    var hash = location.hash;
    if (hash === '' || hash === '#') return { steps: [], skipped: false };
    if (hash.indexOf('#path=') === 0) {
      var parsed = parsePath(hash.slice(6));
      var own = trusted(parsed);
      return { steps: own, skipped: own.length < parsed.length };
    }
    var m = /^#[qo]-([a-z0-9-]+)$/.exec(hash);
    if (!m) return null;
    return { steps: [], skipped: m[1] !== tree.start };
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  root.classList.add('dt-js');
  document.querySelectorAll('.dt-nojs-hint').forEach(function (hint) { hint.hidden = true; });

  // With the script, answers are real buttons: Enter and Space both work,
  // and choosing one is something only the reader can do.
  root.querySelectorAll('a.dt-answer').forEach(function (link) {
    var button = el('button', 'dt-answer', link.textContent);
    button.type = 'button';
    button.setAttribute('data-answer', link.getAttribute('data-answer'));
    link.parentNode.replaceChild(button, link);
  });

  // The progress cue: the stages the questions name, in page order, then
  // the result; the current one is marked in words for screen readers and
  // in weight, not colour, for everyone else.
  var RESULT_STAGE = 'Your result';
  var stageNames = [];
  root.querySelectorAll('.dt-question[data-stage]').forEach(function (section) {
    var name = section.getAttribute('data-stage');
    if (stageNames.indexOf(name) < 0) stageNames.push(name);
  });
  var progress = el('ol', 'dt-progress');
  progress.setAttribute('aria-label', 'Progress');
  stageNames.concat([RESULT_STAGE]).forEach(function (name) { progress.appendChild(el('li', '', name)); });
  progress.hidden = stageNames.length === 0;

  function renderProgress(id) {
    var stage = questions[id] ? sections[id].getAttribute('data-stage') : RESULT_STAGE;
    progress.querySelectorAll('li').forEach(function (item) {
      if (item.textContent === stage) item.setAttribute('aria-current', 'step');
      else item.removeAttribute('aria-current');
    });
  }

  // Brings the progress cue and the current section to the top of the
  // screen, smoothly unless the reader asked for less motion.
  var lessMotion = window.matchMedia ? matchMedia('(prefers-reduced-motion: reduce)') : null;
  function bringIntoView(section) {
    var target = progress.hidden ? section : progress;
    target.scrollIntoView({ block: 'start', behavior: lessMotion && lessMotion.matches ? 'auto' : 'smooth' });
  }

  var live = el('p', 'visually-hidden');
  live.setAttribute('aria-live', 'polite');
  live.id = 'dt-live';

  var controls = el('div', 'dt-controls');
  var back = el('button', 'dt-back button-quiet', 'Back');
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

  var skippedNote = el('p', 'dt-skipped-note',
    'The link you followed pointed to a later step. The decision tree starts with the safety questions, so please answer them first.');
  skippedNote.hidden = true;
  root.insertBefore(skippedNote, root.firstChild);
  root.insertBefore(progress, root.firstChild);

  root.appendChild(controls);
  root.appendChild(summary);
  root.appendChild(live);

  var steps = [];

  function renderSummary() {
    summaryList.textContent = '';
    steps.forEach(function (s, i) {
      var item = el('li');
      var name = s.q.summary;
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
    root.classList.toggle('dt-at-outcome', !questions[id]);
    // An outcome that already sends the reader for care leaves the
    // general reminder out (the tree's reminder: false).
    root.classList.toggle('dt-reminder-off', current.classList.contains('dt-no-reminder'));
    back.hidden = restart.hidden = steps.length === 0;
    renderProgress(id);
    renderSummary();
    if (moveFocus) {
      var heading = current.querySelector('h2');
      if (heading) heading.focus({ preventScroll: true });
      bringIntoView(current);
      announce(current, id);
    }
  }

  function go(newSteps) {
    location.hash = pathHash(newSteps);
  }

  // An answer is the reader's own only when they choose it here; the
  // hashchange that follows cannot tell a choice from a pasted link.
  root.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('button.dt-answer');
    var section = button && button.closest('.dt-node');
    var id = currentId(steps);
    if (!section || section !== sectionOf(id) || !questions[id]) return;
    var chosen = steps.concat([{ q: questions[id], a: Number(button.getAttribute('data-answer')) }]);
    remember(pathHash(chosen));
    go(chosen);
  });

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
    steps = found.steps;
    skippedNote.hidden = !found.skipped;
    var canonical = pathHash(steps);
    var state = history.state && history.state.dtFrom !== undefined ? history.state : null;
    if (moveFocus && !state) state = { dtFrom: shownHash };
    if (location.hash !== '' && (location.hash !== canonical || state !== history.state)) {
      history.replaceState(state, '', canonical);
    }
    var firstShown = shownHash === null;
    shownHash = canonical;
    render(moveFocus);
    // A shared or reloaded link opens on the current question, in view.
    if (firstShown && location.hash !== '') bringIntoView(sectionOf(currentId(steps)));
  }

  window.addEventListener('hashchange', function () { sync(true); });
  sync(false);
}());
