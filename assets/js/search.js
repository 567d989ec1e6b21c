/* Search for lumbar sites, entirely in the reader's browser.
 * The index (search.json, an array of {title, url, section, description,
 * headings, excerpt}) comes from the same site, at the URL the page puts in
 * the form's data-index, so it works offline once loaded and under any base
 * path. Every query word must match the start of some word in an entry;
 * matches weigh title > headings > description > excerpt. */
(function () {
  'use strict';

  var form = document.getElementById('search-form');
  var input = document.getElementById('search-q');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-list');
  if (!form || !input || !status || !list || !window.fetch) return;

  var FIELD_WEIGHTS = { title: 12, headings: 5, description: 3, excerpt: 1 };
  var MAX_RESULTS = 30;
  var WORD = /[\p{L}\p{N}]+/gu;

  var hint = document.getElementById('search-hint');
  if (hint) hint.hidden = false;

  var indexUrl = form.getAttribute('data-index');
  var loading = null;
  var timer = 0;
  var sectionTitles = readSectionTitles();

  // Folding makes "Ischias" match "ischías" and case never matter.
  function fold(text) {
    return String(text == null ? '' : text).normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }

  function wordsOf(text) {
    return fold(text).match(WORD) || [];
  }

  function asText(value) {
    return Array.isArray(value) ? value.join(' ') : String(value == null ? '' : value);
  }

  function readSectionTitles() {
    var titles = {};
    var nodes = document.querySelectorAll('[data-section]');
    for (var i = 0; i < nodes.length; i++) {
      titles[nodes[i].getAttribute('data-section')] = nodes[i].textContent.trim();
    }
    return titles;
  }

  function prepare(entry) {
    var fields = {};
    for (var name in FIELD_WEIGHTS) fields[name] = wordsOf(asText(entry[name]));
    return { entry: entry, fields: fields, foldedTitle: fold(entry.title) };
  }

  function loadIndex() {
    if (!loading) {
      loading = fetch(indexUrl, { credentials: 'same-origin' })
        .then(function (response) {
          if (!response.ok) throw new Error('HTTP ' + response.status);
          return response.json();
        })
        .then(function (entries) { return entries.map(prepare); });
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  // 1 for a whole-word match, less for a prefix, 0 for none.
  function wordMatch(term, words) {
    var best = 0;
    for (var i = 0; i < words.length && best < 1; i++) {
      if (words[i] === term) best = 1;
      else if (words[i].lastIndexOf(term, 0) === 0) best = Math.max(best, 0.6);
    }
    return best;
  }

  function score(item, terms, phrase) {
    var total = 0;
    for (var t = 0; t < terms.length; t++) {
      var best = 0;
      for (var name in FIELD_WEIGHTS) {
        best = Math.max(best, FIELD_WEIGHTS[name] * wordMatch(terms[t], item.fields[name]));
      }
      if (best === 0) return 0;
      total += best;
    }
    if (terms.length > 1 && item.foldedTitle.indexOf(phrase) !== -1) total += FIELD_WEIGHTS.title;
    return total;
  }

  function rank(items, query) {
    var terms = wordsOf(query);
    var phrase = terms.join(' ');
    var hits = [];
    for (var i = 0; i < items.length; i++) {
      var s = score(items[i], terms, phrase);
      if (s > 0) hits.push({ item: items[i], score: s });
    }
    hits.sort(function (a, b) {
      return b.score - a.score || String(a.item.entry.title).localeCompare(String(b.item.entry.title));
    });
    return { terms: terms, hits: hits };
  }

  // Appends text to parent with every word that a term starts marked.
  function appendMarked(parent, text, terms) {
    var pieces = String(text == null ? '' : text).split(/([\p{L}\p{N}]+)/u);
    for (var i = 0; i < pieces.length; i++) {
      if (!pieces[i]) continue;
      var folded = fold(pieces[i]);
      var hit = i % 2 === 1 && terms.some(function (term) { return folded.lastIndexOf(term, 0) === 0; });
      if (hit) {
        var mark = document.createElement('mark');
        mark.textContent = pieces[i];
        parent.appendChild(mark);
      } else {
        parent.appendChild(document.createTextNode(pieces[i]));
      }
    }
  }

  function renderHit(entry, terms) {
    var li = document.createElement('li');
    var link = document.createElement('a');
    link.className = 'result-title';
    link.href = entry.url;
    appendMarked(link, entry.title, terms);
    li.appendChild(link);
    var where = sectionTitles[entry.section] || '';
    if (where) {
      var meta = document.createElement('p');
      meta.className = 'meta';
      meta.textContent = where;
      li.appendChild(meta);
    }
    if (entry.description) {
      var text = document.createElement('p');
      appendMarked(text, entry.description, terms);
      li.appendChild(text);
    }
    return li;
  }

  function show(query, result) {
    list.textContent = '';
    var shown = result.hits.slice(0, MAX_RESULTS);
    for (var i = 0; i < shown.length; i++) list.appendChild(renderHit(shown[i].item.entry, result.terms));
    var n = result.hits.length;
    if (n === 0) {
      status.textContent = 'No results for “' + query + '”. Try fewer words or the start of a word, or browse all articles below.';
    } else {
      status.textContent = (n === 1 ? '1 result' : n + ' results') + ' for “' + query + '”' +
        (n > shown.length ? ', showing the best ' + shown.length : '') + '.';
    }
  }

  function remember(query) {
    if (!window.history || !history.replaceState) return;
    var url = new URL(window.location.href);
    if (query) url.searchParams.set('q', query);
    else url.searchParams.delete('q');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }

  function search() {
    var query = input.value.trim();
    remember(query);
    if (!wordsOf(query).length) {
      list.textContent = '';
      status.textContent = '';
      return;
    }
    loadIndex().then(function (items) {
      if (input.value.trim() === query) show(query, rank(items, query));
    }, function () {
      list.textContent = '';
      status.textContent = 'Search could not load its index. Browse all articles below instead.';
    });
  }

  input.addEventListener('focus', function () { loadIndex().catch(function () {}); });
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(search, 120);
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    clearTimeout(timer);
    search();
  });

  var initial = new URLSearchParams(window.location.search).get('q');
  if (initial) {
    input.value = initial;
    search();
  }
})();
