/* Search for lumbar sites, entirely in the reader's browser, from files of
 * the same site (so it works on a copy with no network and under any base
 * path). The format is in docs/templates.md ("Search index"):
 *   search.json          the manifest: {format, version, docs, keys}
 *   search/s/HEX.json    a shard: {term: postings} for the terms whose first
 *                        letters are the key (HEX: the key's UTF-8 bytes)
 *   search/d/G/ID.json   what a result shows: {t, u, s, d, x}; G is ID / 128
 * Only the shards of the words typed and the texts of the results shown are
 * fetched. Each query word must match a term: the same word or another form
 * of it (the stemmer below), a longer word it starts, or, for words of five
 * letters or more, a word one letter away (a typo). Scores are BM25 with
 * titles and headings weighing more, computed by the build. */
(function () {
  'use strict';

  /* ---- words: the same rules as src/words.c; tests/search-words.tsv
   * checks both. ---- */

  // What U+00C0-U+00FF fold to (0: not a letter).
  var LATIN1 = [
    'a', 'a', 'a', 'a', 'a', 'a', '\u00e6', 'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i',
    '\u00f0', 'n', 'o', 'o', 'o', 'o', 'o', 0, '\u00f8', 'u', 'u', 'u', 'u', 'y', '\u00fe', '\u00df',
    'a', 'a', 'a', 'a', 'a', 'a', '\u00e6', 'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i',
    '\u00f0', 'n', 'o', 'o', 'o', 'o', 'o', 0, '\u00f8', 'u', 'u', 'u', 'u', 'y', '\u00fe', 'y'
  ];

  function isWordCp(c) {
    if (c < 0x80) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (c < 0xc0 || c === 0xd7 || c === 0xf7 || c === 0xfeff) return false;
    return !((c >= 0x2000 && c <= 0x206f) || (c >= 0x2e00 && c <= 0x2e7f) || (c >= 0x3000 && c <= 0x303f));
  }

  function foldCp(c, ch) {
    if (c >= 65 && c <= 90) return String.fromCharCode(c + 32);
    if (c >= 0xc0 && c <= 0xff) return LATIN1[c - 0xc0];
    return ch;
  }

  // The words of text, folded, each with where it starts and ends.
  function splitWords(text) {
    var out = [];
    var s = String(text == null ? '' : text);
    var word = '';
    var start = 0;
    var i = 0;
    for (var ch of s) {
      var c = ch.codePointAt(0);
      if (isWordCp(c)) {
        if (!word) start = i;
        word += foldCp(c, ch);
      } else if (word) {
        out.push({ word: word, start: start, end: i });
        word = '';
      }
      i += ch.length;
    }
    if (word) out.push({ word: word, start: start, end: i });
    return out;
  }

  function ends(w, suffix) {
    return w.length >= suffix.length && w.slice(w.length - suffix.length) === suffix;
  }

  function undouble(w) {
    var n = w.length;
    if (n >= 2 && w[n - 1] === w[n - 2] && 'aeioulsz'.indexOf(w[n - 1]) === -1) return w.slice(0, n - 1);
    return w;
  }

  // w less its last k letters, undoubled, when three letters with a vowel
  // stay; null otherwise.
  function dropVerbEnding(w, k) {
    if (w.length < k + 3 || !/[aeiouy]/.test(w.slice(0, w.length - k))) return null;
    return undouble(w.slice(0, w.length - k));
  }

  // The small suffix stemmer of words_stem in src/words.c.
  function stem(w) {
    if (!/^[a-z0-9]+$/.test(w) || w.length <= 3) return w;
    if (ends(w, 'sses')) w = w.slice(0, -2);
    else if (ends(w, 'ies') && w.length >= 5) w = w.slice(0, -3) + 'y';
    else if (ends(w, 's') && !ends(w, 'ss') && !ends(w, 'us') && !ends(w, 'is')) w = w.slice(0, -1);
    if (ends(w, 'ied') && w.length >= 5) {
      w = w.slice(0, -3) + 'y';
    } else {
      var dropped = ends(w, 'ing') ? dropVerbEnding(w, 3) : null;
      if (dropped !== null) w = dropped;
      else if (ends(w, 'ed')) w = dropVerbEnding(w, 2) || w;
    }
    if (ends(w, 'e') && w.length >= 5) w = w.slice(0, -1);
    return w;
  }

  window.lumbarSearchWords = { splitWords: splitWords, stem: stem };

  /* ---- the page ---- */

  var form = document.getElementById('search-form');
  var input = document.getElementById('search-q');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-list');
  var more = document.getElementById('search-more');
  if (!form || !input || !status || !list || !window.fetch) return;

  var PAGE_SIZE = 10;
  var DOC_GROUP = 128; // as in src/feeds.c
  var DEBOUNCE_MS = 200; // a search, and its results' files, once typing pauses
  var PREFIX_WEIGHT = 0.6;
  var TYPO_WEIGHT = 0.5;
  var TYPO_MIN_LETTERS = 5;
  var SNIPPET_CHARS = 220;
  var DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_';

  var hint = document.getElementById('search-hint');
  if (hint) hint.hidden = false;

  var manifestUrl = form.getAttribute('data-index');
  var folder = manifestUrl.replace(/[^/]*$/, '') + 'search/';
  var manifest = null;
  // Maps without a prototype: a word such as "constructor" is a term, not
  // a property of every object.
  var shards = Object.create(null);
  var docs = Object.create(null);
  var timer = 0;
  var latest = 0;
  var current = null;

  function getJson(url) {
    return fetch(url, { credentials: 'same-origin' }).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json();
    });
  }

  function loadManifest() {
    if (!manifest) {
      manifest = getJson(manifestUrl).then(function (m) {
        var keys = Object.create(null);
        for (var i = 0; i < m.keys.length; i++) keys[m.keys[i]] = true;
        return { version: m.version, keys: keys };
      });
      manifest.catch(function () { manifest = null; });
    }
    return manifest;
  }

  function hex(text) {
    var bytes = new TextEncoder().encode(text);
    var out = '';
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return out;
  }

  // The key of the shard that holds term: the longest key it starts with.
  function shardKey(m, term) {
    var letters = Array.from(term);
    for (var n = letters.length; n > 0; n--) {
      var key = letters.slice(0, n).join('');
      if (m.keys[key]) return key;
    }
    return null;
  }

  function loadShard(m, key) {
    if (!shards[key]) {
      shards[key] = getJson(folder + 's/' + hex(key) + '.json?v=' + m.version);
      shards[key].catch(function () { delete shards[key]; });
    }
    return shards[key];
  }

  function loadDoc(m, id) {
    if (!docs[id]) {
      docs[id] = getJson(folder + 'd/' + Math.floor(id / DOC_GROUP) + '/' + id + '.json?v=' + m.version);
      docs[id].catch(function () { delete docs[id]; });
    }
    return docs[id];
  }

  // True when a and b are one insertion, deletion or substitution apart.
  function oneEdit(a, b) {
    if (Math.abs(a.length - b.length) > 1 || a === b) return false;
    var i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
    return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  // The shard's terms a query word matches, with how much each counts.
  // Typos are tried only for a word that matches no term as written: a
  // real word ("flags") must not also pull in its neighbours ("flare").
  function matchingTerms(shard, word) {
    var matches = Object.create(null);
    var found = false;
    var terms = Object.keys(shard);
    for (var term of terms) {
      if (term === word.term) matches[term] = 1;
      else if (term.lastIndexOf(word.term, 0) === 0) matches[term] = PREFIX_WEIGHT;
      else continue;
      found = true;
    }
    if (found || Array.from(word.folded).length < TYPO_MIN_LETTERS) return matches;
    for (var t of terms) if (oneEdit(word.term, t)) matches[t] = TYPO_WEIGHT;
    return matches;
  }

  // Adds each document of one term's postings to scores, at its score
  // times weight, keeping the best per document.
  function addPostings(postings, weight, scores) {
    var doc = -1;
    for (var i = 0; i < postings.length;) {
      var gap = 0;
      var digit = DIGITS.indexOf(postings[i++]);
      while (digit >= 32) {
        gap = gap * 32 + digit - 32;
        digit = DIGITS.indexOf(postings[i++]);
      }
      doc += gap * 32 + digit;
      var score = DIGITS.indexOf(postings[i++]) * weight;
      if (!(scores.get(doc) >= score)) scores.set(doc, score);
    }
  }

  function queryWords(query) {
    var seen = Object.create(null);
    var words = [];
    var split = splitWords(query);
    for (var i = 0; i < split.length; i++) {
      var term = stem(split[i].word);
      if (seen[term]) continue;
      seen[term] = true;
      words.push({ folded: split[i].word, term: term });
    }
    return words;
  }

  // Ranks the documents that match every word: [{doc, score}], and for
  // each word the terms it matched.
  function rank(m, words) {
    var keys = words.map(function (w) { return shardKey(m, w.term); });
    if (keys.indexOf(null) !== -1) return Promise.resolve({ hits: [], terms: [] });
    return Promise.all(keys.map(function (k) { return loadShard(m, k); })).then(function (loaded) {
      var total = null;
      var terms = [];
      for (var w = 0; w < words.length; w++) {
        var matches = matchingTerms(loaded[w], words[w]);
        terms.push(matches);
        var scores = new Map();
        for (var term in matches) addPostings(loaded[w][term], matches[term], scores);
        if (total === null) {
          total = scores;
        } else {
          var both = new Map();
          total.forEach(function (score, doc) {
            if (scores.has(doc)) both.set(doc, score + scores.get(doc));
          });
          total = both;
        }
      }
      var hits = [];
      total.forEach(function (score, doc) { hits.push({ doc: doc, score: score }); });
      hits.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
      return { hits: hits, terms: terms };
    });
  }

  // Which word of the query a piece of text matches, or -1.
  function wordIndex(word, terms) {
    var term = stem(word);
    for (var i = 0; i < terms.length; i++) if (terms[i][term]) return i;
    return -1;
  }

  // Appends text to parent with the words that match the query marked.
  function appendMarked(parent, text, terms) {
    var at = 0;
    var split = splitWords(text);
    for (var i = 0; i < split.length; i++) {
      if (wordIndex(split[i].word, terms) === -1) continue;
      if (split[i].start > at) parent.appendChild(document.createTextNode(text.slice(at, split[i].start)));
      var mark = document.createElement('mark');
      mark.textContent = text.slice(split[i].start, split[i].end);
      parent.appendChild(mark);
      at = split[i].end;
    }
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
  }

  // The sentence of text that matches the most query words (the first of
  // equals), cut to about SNIPPET_CHARS around its first match; '' if none.
  function snippet(text, terms) {
    var sentences = String(text || '').match(/[^.!?]+(?:[.!?]+|$)/g) || [];
    var best = null;
    var bestCount = 0;
    for (var i = 0; i < sentences.length; i++) {
      var found = Object.create(null);
      var first = -1;
      var split = splitWords(sentences[i]);
      for (var j = 0; j < split.length; j++) {
        var k = wordIndex(split[j].word, terms);
        if (k === -1) continue;
        found[k] = true;
        if (first === -1) first = split[j].start;
      }
      var count = Object.keys(found).length;
      if (count > bestCount) {
        best = { text: sentences[i].trim(), first: first - (sentences[i].length - sentences[i].trimStart().length) };
        bestCount = count;
      }
    }
    if (!best) return '';
    if (best.text.length <= SNIPPET_CHARS) return best.text;
    var from = Math.max(0, best.first - 60);
    if (from > 0) from = best.text.indexOf(' ', from) + 1 || from;
    var to = Math.min(best.text.length, from + SNIPPET_CHARS);
    if (to < best.text.length) to = best.text.lastIndexOf(' ', to) > from ? best.text.lastIndexOf(' ', to) : to;
    return (from > 0 ? '… ' : '') + best.text.slice(from, to) + (to < best.text.length ? ' …' : '');
  }

  function renderHit(doc, terms) {
    var li = document.createElement('li');
    var link = document.createElement('a');
    link.className = 'result-title';
    link.href = doc.u;
    appendMarked(link, String(doc.t || ''), terms);
    li.appendChild(link);
    if (doc.s) {
      var meta = document.createElement('p');
      meta.className = 'meta';
      meta.textContent = doc.s;
      li.appendChild(meta);
    }
    var text = snippet(doc.x, terms) || String(doc.d || '');
    if (text) {
      var p = document.createElement('p');
      p.className = 'snippet';
      appendMarked(p, text, terms);
      li.appendChild(p);
    }
    return li;
  }

  function setStatus(query, n) {
    status.textContent = n === 0
      ? 'No results for “' + query + '”. Check the spelling or try fewer words, or browse all articles below.'
      : (n === 1 ? '1 result' : n + ' results') + ' for “' + query + '”.';
  }

  // Shows the next PAGE_SIZE results of the current search; resolves to
  // the first new item.
  function showMore(m, search) {
    var slice = search.hits.slice(search.shown, search.shown + PAGE_SIZE);
    return Promise.all(slice.map(function (hit) { return loadDoc(m, hit.doc); })).then(function (loaded) {
      if (search !== current) return null;
      var first = null;
      for (var i = 0; i < loaded.length; i++) {
        var li = renderHit(loaded[i], search.terms);
        list.appendChild(li);
        first = first || li;
      }
      search.shown += slice.length;
      if (more) more.hidden = search.shown >= search.hits.length;
      return first;
    });
  }

  function failed() {
    list.textContent = '';
    if (more) more.hidden = true;
    status.textContent = 'Search could not load its index. Browse all articles below instead.';
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
    var words = queryWords(query);
    var ticket = ++latest;
    remember(query);
    if (!words.length) {
      current = null;
      list.textContent = '';
      status.textContent = '';
      if (more) more.hidden = true;
      return;
    }
    loadManifest().then(function (m) {
      return rank(m, words).then(function (result) {
        if (ticket !== latest) return null;
        current = { hits: result.hits, terms: result.terms, shown: 0 };
        var search = current;
        return showMore(m, search).then(function () {
          if (search !== current) return;
          // The list is replaced only now, so it never flickers empty.
          var fresh = Array.prototype.slice.call(list.children, list.children.length - search.shown);
          list.textContent = '';
          for (var i = 0; i < fresh.length; i++) list.appendChild(fresh[i]);
          setStatus(query, search.hits.length);
        });
      });
    }).catch(function () { if (ticket === latest) failed(); });
  }

  input.addEventListener('focus', function () { loadManifest().catch(function () {}); });
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    clearTimeout(timer);
    search();
  });
  if (more) {
    more.addEventListener('click', function () {
      var search = current;
      if (!search) return;
      loadManifest().then(function (m) { return showMore(m, search); }).then(function (first) {
        var link = first && first.querySelector('a');
        if (link) link.focus();
      }).catch(failed);
    });
  }

  var initial = new URLSearchParams(window.location.search).get('q');
  if (initial) {
    input.value = initial;
    search();
  }
})();
