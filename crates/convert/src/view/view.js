// pagetree view: draws the embedded data (schema pagetree.view). No network, no libraries.
// Document text only ever reaches the page through textContent or the markdown HTML the
// writer sanitised, never through string-built markup.
(function () {
  'use strict';
  performance.mark('pagetree-view-script');
  var D = JSON.parse(document.getElementById('pagetree-data').textContent);
  performance.mark('pagetree-view-parsed');
  var SVGNS = 'http://www.w3.org/2000/svg';
  var COLORS = {
    heading: '#d9480f', text: '#1971c2', list: '#2f9e44', table: '#9c36b5', image: '#f08c00',
    code: '#495057', link: '#0c8599', header: '#868e96', footer: '#868e96', unknown: '#e64980'
  };
  var PROBLEM = { outside_page: 1, near_full_page: 1, duplicate: 1, negative: 1, zero_size: 1, span_out_of_range: 1 };

  var byId = new Map();
  var byPage = new Map();
  D.elements.forEach(function (e) {
    // Empty fields are left out of the data.
    e.boxes.forEach(function (b) { if (!b.problems) b.problems = []; });
    if (!e.undrawn) e.undrawn = 0;
    byId.set(e.id, e);
    if (!byPage.has(e.page)) byPage.set(e.page, []);
    byPage.get(e.page).push(e);
  });
  var tables = new Map(D.tables.map(function (t) { return [t.id, t]; }));
  var pageInfo = new Map(D.pages.map(function (p) { return [p.page, p]; }));
  var drawn = new Map();
  var state = { mode: 'elements', sel: null, chunk: null, table: null };

  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === 'text') n.textContent = attrs[k];
      else if (k === 'cls') n.className = attrs[k];
      else n.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c != null) n.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return n;
  }
  function sv(tag, attrs) {
    var n = document.createElementNS(SVGNS, tag);
    for (var k in attrs) n.setAttribute(k, attrs[k]);
    return n;
  }
  function fmt(n) { return Math.round(n * 10) / 10; }
  function plural(n, w) { return n + ' ' + w + (n === 1 ? '' : 's'); }
  function elNumber(id) { var m = /-e(\d+)$/.exec(id); return m ? m[1] : id; }

  // ---- header: counts and legend ----
  (function header() {
    var s = D.summary, q = s.quality.statuses || {};
    var parts = [plural(D.pages.length, 'page'), plural(s.elements.elements, 'element'), plural(s.elements.boxes, 'box').replace('boxs', 'boxes'),
      plural(s.chunks, 'chunk'), plural(s.quality.tables, 'table')];
    if (s.quality.tables) parts.push((q.ok || 0) + ' ok · ' + (q.review || 0) + ' review · ' + (q.unusable || 0) + ' unusable');
    if (s.failed_pages.length) parts.push(plural(s.failed_pages.length, 'failed page'));
    document.getElementById('counts').textContent = parts.join(' · ');
    var legend = document.getElementById('legend');
    Object.keys(COLORS).forEach(function (k) {
      if (k === 'footer' || k === 'header') return;
      var n = (s.elements.kinds || {})[k] || 0;
      var sw = el('span', { cls: 'sw' }); sw.style.borderColor = COLORS[k]; sw.style.background = COLORS[k] + '22';
      legend.appendChild(el('span', { cls: 'key' }, [sw, k + ' ' + n]));
    });
    var furn = ((s.elements.kinds || {}).header || 0) + ((s.elements.kinds || {}).footer || 0);
    legend.appendChild(el('span', { cls: 'key' }, [el('span', { cls: 'sw furn' }), 'header/footer ' + furn]));
    var bad = 0; for (var p in (s.elements.box_problems || {})) bad += s.elements.box_problems[p];
    legend.appendChild(el('span', { cls: 'key' }, [el('span', { cls: 'sw bad' }), 'box problem ' + bad]));
  })();

  // The hatching of headers and footers, defined once for every page's drawing.
  (function patterns() {
    var holder = sv('svg', { width: 0, height: 0, 'aria-hidden': 'true' });
    holder.style.position = 'absolute';
    var pat = sv('pattern', { id: 'furn', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
    pat.appendChild(sv('rect', { width: 6, height: 6, fill: '#f1f3f5' }));
    pat.appendChild(sv('rect', { width: 2, height: 6, fill: '#adb5bd' }));
    var defs = sv('defs', {});
    defs.appendChild(pat);
    holder.appendChild(defs);
    document.body.appendChild(holder);
  })();

  // ---- pages: placeholders, drawn when they come near the viewport ----
  var main = document.getElementById('pages');
  D.pages.forEach(function (p) {
    var extent = viewBox(p);
    var meta = fmt(p.w) + ' × ' + fmt(p.h) + ' pt';
    var sec = el('section', { cls: 'page', id: 'page-' + p.page, 'data-page': p.page }, [
      el('h2', null, ['Page ' + p.page, el('span', { cls: 'meta', text: meta + ' · ' + plural((byPage.get(p.page) || []).length, 'element') })])
    ]);
    var notes = el('ul', { cls: 'notes' });
    if (p.status === 'failed') notes.appendChild(el('li', { text: 'This page failed: ' + (p.error || 'no error message') }));
    if (p.size_from === 'boxes') notes.appendChild(el('li', { text: 'The response gives no page size: drawn at the extent of its boxes.' }));
    if (p.size_from === 'none') notes.appendChild(el('li', { text: 'The response gives no page size and the page has no boxes: drawn as a US letter page.' }));
    var undrawn = (byPage.get(p.page) || []).filter(function (e) { return e.undrawn > 0; });
    if (undrawn.length) notes.appendChild(el('li', { text: plural(undrawn.reduce(function (a, e) { return a + e.undrawn; }, 0), 'box') .replace('boxs', 'boxes') + ' with a missing coordinate not drawn (' + undrawn.map(function (e) { return e.id; }).join(', ') + ').' }));
    if (extent.outside) notes.appendChild(el('li', { text: 'Boxes reach outside the page (the tinted margin).' }));
    if (notes.childNodes.length) sec.appendChild(notes);
    var sheet = el('div', { cls: 'sheet' });
    sheet.style.aspectRatio = extent.w + ' / ' + extent.h;
    var md = el('div', { cls: 'md' });
    sec.appendChild(el('div', { cls: 'row' }, [sheet, md]));
    main.appendChild(sec);
  });

  function viewBox(p) {
    var x0 = 0, y0 = 0, x1 = p.w, y1 = p.h;
    (byPage.get(p.page) || []).forEach(function (e) {
      e.boxes.forEach(function (b) {
        var bx = b.b;
        x0 = Math.min(x0, bx[0]); y0 = Math.min(y0, bx[1]);
        x1 = Math.max(x1, bx[0] + Math.max(0, bx[2])); y1 = Math.max(y1, bx[1] + Math.max(0, bx[3]));
      });
    });
    var outside = x0 < 0 || y0 < 0 || x1 > p.w || y1 > p.h;
    // A box far off the page must not shrink the page to a dot.
    var lim = 3 * Math.max(p.w, p.h);
    x0 = Math.max(x0, -lim); y0 = Math.max(y0, -lim); x1 = Math.min(x1, p.w + lim); y1 = Math.min(y1, p.h + lim);
    // A margin where boxes leave the page, or where the page is only their extent.
    var pad = outside || p.size_from !== 'page' ? Math.max(p.w, p.h) * 0.01 : 0;
    return { x: x0 - pad, y: y0 - pad, w: x1 - x0 + 2 * pad, h: y1 - y0 + 2 * pad, outside: outside };
  }

  function draw(sec) {
    var n = +sec.getAttribute('data-page');
    if (drawn.has(n)) return;
    var p = pageInfo.get(n);
    var sheet = sec.querySelector('.sheet'), md = sec.querySelector('.md');
    var groups = new Map();
    if (p.status === 'failed' && !(byPage.get(n) || []).length) {
      sheet.appendChild(el('div', { cls: 'failed', text: 'Page ' + n + ' failed: ' + (p.error || 'no error message') }));
    } else {
      var vb = viewBox(p);
      var svg = sv('svg', { viewBox: [vb.x, vb.y, vb.w, vb.h].join(' '), role: 'img', 'aria-label': 'page ' + n });
      if (!document.getElementById('show-numbers').checked) svg.classList.add('nonum');
      if (vb.outside) svg.appendChild(sv('rect', { class: 'outside', x: vb.x, y: vb.y, width: vb.w, height: vb.h }));
      svg.appendChild(sv('rect', { class: 'paper', x: 0, y: 0, width: p.w, height: p.h }));
      if (p.image) svg.appendChild(sv('image', { href: p.image, x: 0, y: 0, width: p.w, height: p.h, preserveAspectRatio: 'none', opacity: 0.9 }));
      var fs = Math.max(6, Math.max(p.w, p.h) / 75);
      var minSide = Math.max(p.w, p.h) / 400;
      // Large boxes first, so smaller ones sit on top and can be pointed at.
      var els = (byPage.get(n) || []).filter(function (e) { return e.boxes.length; });
      var area = function (e) { return e.boxes.reduce(function (a, b) { return a + Math.abs(b.b[2] * b.b[3]); }, 0); };
      els.sort(function (a, b) { return area(b) - area(a) || a.order - b.order; });
      els.forEach(function (e) {
        var g = sv('g', { class: 'el k-' + e.kind + (e.furniture ? ' furn' : ''), 'data-id': e.id });
        var color = COLORS[e.kind] || COLORS.unknown;
        var first = true;
        e.boxes.forEach(function (b) {
          var r = b.b, w = Math.max(r[2], minSide), h = Math.max(r[3], minSide);
          var bad = b.problems.some(function (q) { return PROBLEM[q]; });
          var big = b.problems.indexOf('near_full_page') >= 0;
          var x = r[2] < 0 ? r[0] + r[2] : r[0], y = r[3] < 0 ? r[1] + r[3] : r[1];
          g.appendChild(sv('rect', { x: x, y: y, width: Math.abs(w), height: Math.abs(h), fill: color, stroke: color, class: (bad ? 'bad' : '') + (big ? ' big' : '') }));
          if (first) {
            var t = sv('text', { class: 'n' + (bad ? ' bad' : ''), x: x + fs * 0.2, y: y + fs * 0.95, 'font-size': fs, fill: color });
            t.textContent = elNumber(e.id) + (bad ? ' !' : '');
            g.appendChild(t);
            first = false;
          }
        });
        groups.set(e.id, g);
        svg.appendChild(g);
      });
      svg.addEventListener('mouseover', function (ev) { var g = ev.target.closest('g.el'); if (g) hover(g.getAttribute('data-id'), ev); });
      svg.addEventListener('mousemove', moveTip);
      svg.addEventListener('mouseout', function (ev) { var g = ev.target.closest('g.el'); if (g) unhover(g.getAttribute('data-id')); });
      svg.addEventListener('click', function (ev) { var g = ev.target.closest('g.el'); if (g) clickElement(g.getAttribute('data-id')); });
      sheet.appendChild(svg);
    }
    if (p.md_kind === 'unselected') md.appendChild(el('p', { cls: 'md-note', text: 'This page is outside the selected pages.' }));
    else if (!p.md_html) md.appendChild(el('p', { cls: 'md-note', text: 'This page has no markdown.' }));
    else md.innerHTML = p.md_html;
    var nodes = Array.prototype.map.call(md.querySelectorAll('[data-a]'), function (node) {
      return { a: +node.getAttribute('data-a'), b: +node.getAttribute('data-b'), node: node };
    });
    md.addEventListener('mouseover', function (ev) { var t = ev.target.closest('[data-a]'); if (t) { var e = elementForNode(n, t); if (e) hover(e.id, null); } });
    md.addEventListener('mouseout', function (ev) { var t = ev.target.closest('[data-a]'); if (t) { var e = elementForNode(n, t); if (e) unhover(e.id); } });
    md.addEventListener('click', function (ev) {
      if (ev.target.closest('a')) return;
      var t = ev.target.closest('[data-a]'); if (!t) return;
      var e = elementForNode(n, t); if (e) select(e.id, false);
    });
    drawn.set(n, { sec: sec, groups: groups, md: md, nodes: nodes });
    sec.setAttribute('data-drawn', '1');
    restyle(n);
  }

  // ---- markdown <-> boxes ----
  function mdNodes(e) {
    if (!e || !e.md) return [];
    var d = drawn.get(e.page);
    if (!d) return [];
    var a = e.md[0], b = e.md[1], best = null;
    d.nodes.forEach(function (x) { if (x.a <= a && b <= x.b && (!best || x.b - x.a < best.b - best.a)) best = x; });
    if (best) return [best.node];
    return d.nodes.filter(function (x) { return x.a < b && a < x.b; }).map(function (x) { return x.node; });
  }
  function elementForNode(page, node) {
    var a = +node.getAttribute('data-a'), b = +node.getAttribute('data-b');
    var inside = null, around = null;
    (byPage.get(page) || []).forEach(function (e) {
      if (!e.md) return;
      var s = e.md[0], t = e.md[1];
      if (a <= s && t <= b && (!inside || t - s > inside.md[1] - inside.md[0])) inside = e;
      if (s <= a && b <= t && (!around || t - s < around.md[1] - around.md[0])) around = e;
    });
    return inside || around;
  }
  // An element's text: given in the data only when the markdown leaves it out.
  function textOf(e) {
    if (e.text) return e.text;
    var nodes = mdNodes(e);
    var t = nodes.length ? nodes[0].textContent.trim() : '';
    return t.length > 240 ? t.slice(0, 240) + '…' : t;
  }
  var tip = el('div', { cls: 'tip' }); tip.style.display = 'none'; document.body.appendChild(tip);
  function hover(id, ev) {
    var e = byId.get(id), d = e && drawn.get(e.page);
    if (!d) return;
    var g = d.groups.get(id); if (g) g.classList.add('hl');
    mdNodes(e).forEach(function (x) { x.classList.add('hl'); });
    if (ev) {
      tip.textContent = '';
      tip.appendChild(el('div', null, [el('b', { text: e.id }), ' ' + e.kind + (e.furniture ? ' (' + e.furniture + ')' : '') + (e.table ? ' ' + e.table : '')]));
      var probs = [];
      e.boxes.forEach(function (b) { b.problems.forEach(function (q) { if (probs.indexOf(q) < 0) probs.push(q); }); });
      if (probs.length) tip.appendChild(el('div', { cls: 'meta', text: '⚠ ' + probs.join(', ') }));
      var text = textOf(e);
      if (text) tip.appendChild(el('div', { text: text.length > 160 ? text.slice(0, 160) + '…' : text }));
      tip.style.display = 'block'; moveTip(ev);
    }
  }
  function moveTip(ev) {
    if (tip.style.display === 'none') return;
    tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - 370) + 'px';
    tip.style.top = (ev.clientY + 16) + 'px';
  }
  function unhover(id) {
    tip.style.display = 'none';
    var e = byId.get(id), d = e && drawn.get(e.page);
    if (!d) return;
    var g = d.groups.get(id); if (g) g.classList.remove('hl');
    mdNodes(e).forEach(function (x) { x.classList.remove('hl'); });
  }
  function clickElement(id) {
    var e = byId.get(id);
    if (state.mode === 'tables' && e && e.table && tables.has(e.table)) { selectTable(e.table, false); return; }
    select(id, true);
  }
  function select(id, scrollMd) {
    state.sel = id;
    if (state.mode !== 'elements') setMode('elements');
    drawn.forEach(function (_, n) { restyle(n); });
    var nodes = mdNodes(byId.get(id));
    if (scrollMd && nodes.length) {
      var md = drawn.get(byId.get(id).page).md;
      md.scrollTop = Math.max(0, nodes[0].offsetTop - 24);
    }
    side();
  }

  // ---- state -> classes on drawn pages ----
  function restyle(n) {
    var d = drawn.get(n); if (!d) return;
    var chunk = state.mode === 'chunks' && state.chunk != null ? D.chunks[state.chunk] : null;
    var inChunk = chunk ? new Set(chunk.elements) : null;
    d.groups.forEach(function (g, id) {
      var e = byId.get(id);
      var isTable = state.mode === 'tables' && e.table && tables.has(e.table);
      g.classList.toggle('sel', state.mode === 'elements' && state.sel === id);
      g.classList.toggle('inchunk', !!inChunk && inChunk.has(id));
      g.classList.toggle('tbl', !!isTable);
      ['ok', 'review', 'unusable', 'merged_stub'].forEach(function (s) {
        g.classList.toggle('st-' + s, !!isTable && tables.get(e.table).status === s);
      });
      var dim = (inChunk && !inChunk.has(id)) || (state.mode === 'tables' && !isTable) ||
        (state.mode === 'tables' && state.table && e.table !== state.table);
      g.classList.toggle('dim', !!dim);
    });
    d.nodes.forEach(function (x) { x.node.classList.remove('sel', 'hlc'); });
    if (state.mode === 'elements' && state.sel) {
      var e = byId.get(state.sel);
      if (e && e.page === n) mdNodes(e).forEach(function (x) { x.classList.add('sel'); });
    }
    if (inChunk) chunk.elements.forEach(function (id) { var e = byId.get(id); if (e && e.page === n) mdNodes(e).forEach(function (x) { x.classList.add('hlc'); }); });
    var svg = d.sec.querySelector('svg');
    if (!svg) return;
    Array.prototype.forEach.call(svg.querySelectorAll('.cbox'), function (r) { r.remove(); });
    if (chunk) chunk.boxes.forEach(function (b) {
      if (b[0] !== n) return;
      svg.appendChild(sv('rect', { class: 'cbox', x: b[1], y: b[2], width: Math.max(b[3], 1), height: Math.max(b[4], 1) }));
    });
  }

  // ---- side panel ----
  var sidePanel = document.getElementById('side');
  function side() {
    sidePanel.textContent = '';
    if (state.mode === 'elements') sideElements();
    else if (state.mode === 'chunks') sideChunks();
    else sideTables();
  }
  function dl(pairs) {
    var d = el('dl');
    pairs.forEach(function (p) { if (p[1] != null && p[1] !== '') { d.appendChild(el('dt', { text: p[0] })); d.appendChild(el('dd', { text: String(p[1]) })); } });
    return d;
  }
  function sideElements() {
    sidePanel.appendChild(el('h2', { text: 'Element' }));
    var e = state.sel && byId.get(state.sel);
    if (!e) sidePanel.appendChild(el('p', { cls: 'empty', text: 'Point at a box or a paragraph to link them; click to keep it selected.' }));
    else {
      var probs = [];
      e.boxes.forEach(function (b) { b.problems.forEach(function (q) { if (probs.indexOf(q) < 0) probs.push(q); }); });
      sidePanel.appendChild(dl([['id', e.id], ['kind', e.kind], ['page', e.page], ['order', e.order], ['parent', e.parent], ['furniture', e.furniture], ['table', e.table],
        ['boxes', e.boxes.length + (e.undrawn ? ' (+' + e.undrawn + ' not drawn)' : '')], ['labels', e.boxes.map(function (b) { return b.label; }).filter(Boolean).join(', ')],
        ['problems', probs.join(', ')], ['markdown', e.md ? 'bytes ' + e.md[0] + '–' + e.md[1] : 'not in the markdown']]));
      var text = textOf(e);
      if (text) sidePanel.appendChild(el('div', { cls: 'text', text: text }));
    }
    var bad = D.elements.filter(function (x) { return x.boxes.some(function (b) { return b.problems.length; }) || x.undrawn; });
    sidePanel.appendChild(el('h2', { text: 'Box problems (' + bad.length + ' elements)' }));
    if (!bad.length) sidePanel.appendChild(el('p', { cls: 'empty', text: 'None.' }));
    var ul = el('ul', { cls: 'list' });
    bad.slice(0, 400).forEach(function (x) {
      var probs = [];
      x.boxes.forEach(function (b) { b.problems.forEach(function (q) { if (probs.indexOf(q) < 0) probs.push(q); }); });
      if (x.undrawn) probs.push(x.undrawn + ' not drawn');
      var li = el('li', { cls: state.sel === x.id ? 'on' : '' }, [el('b', { text: x.id }), ' ' + x.kind + ' ', el('span', { cls: 'meta', text: probs.join(', ') })]);
      li.addEventListener('click', function () { goTo(x.page, function () { select(x.id, true); }); });
      ul.appendChild(li);
    });
    if (bad.length > 400) ul.appendChild(el('li', { cls: 'meta', text: (bad.length - 400) + ' more (see pagetree elements).' }));
    sidePanel.appendChild(ul);
    if (D.warnings.length) {
      sidePanel.appendChild(el('h2', { text: 'Warnings' }));
      var w = el('ul', { cls: 'list' });
      D.warnings.forEach(function (t) { w.appendChild(el('li', { cls: 'warn', text: t })); });
      sidePanel.appendChild(w);
    }
  }
  function sideChunks() {
    var c = state.chunk != null ? D.chunks[state.chunk] : null;
    sidePanel.appendChild(el('h2', { text: 'Chunks (' + D.chunks.length + ')' }));
    if (c) {
      sidePanel.appendChild(dl([['chunk', '#' + c.index], ['id', c.id], ['pages', c.pages[0] === c.pages[1] ? c.pages[0] : c.pages.join('–')],
        ['size', c.chars + ' chars' + (c.tokens != null ? ', ' + c.tokens + ' tokens' : '') + (c.oversize ? ' (oversize)' : '')],
        ['kinds', c.kinds.join(', ')], ['tables', c.tables.join(', ')], ['elements', c.elements.length], ['boxes', c.boxes.length]]));
      sidePanel.appendChild(el('div', { cls: 'text', text: c.text }));
    } else sidePanel.appendChild(el('p', { cls: 'empty', text: 'Pick a chunk: every box it cites lights up, on every page.' }));
    var ul = el('ul', { cls: 'list', id: 'chunk-list' });
    D.chunks.forEach(function (x, i) {
      var head = x.heading_path.length ? x.heading_path.join(' › ') : x.text.slice(0, 60);
      var li = el('li', { cls: state.chunk === i ? 'on' : '', 'data-chunk': i }, [el('b', { text: '#' + x.index + ' ' }), head,
        el('div', { cls: 'meta', text: 'p' + (x.pages[0] === x.pages[1] ? x.pages[0] : x.pages.join('–')) + ' · ' + x.chars + ' chars · ' + plural(x.boxes.length, 'box').replace('boxs', 'boxes') + (x.oversize ? ' · oversize' : '') })]);
      li.addEventListener('click', function () { selectChunk(i); });
      ul.appendChild(li);
    });
    sidePanel.appendChild(ul);
  }
  function selectChunk(i) {
    state.chunk = i;
    drawn.forEach(function (_, n) { restyle(n); });
    side();
    var c = D.chunks[i];
    var first = c.boxes.length ? c.boxes[0][0] : c.pages[0];
    goTo(first, function () { drawn.forEach(function (_, n) { restyle(n); }); });
  }
  function sideTables() {
    var t = state.table && tables.get(state.table);
    sidePanel.appendChild(el('h2', { text: 'Tables (' + D.tables.length + ')' }));
    if (!D.tables.length) sidePanel.appendChild(el('p', { cls: 'empty', text: 'This document has no tables.' }));
    if (t) sidePanel.appendChild(tableDetails(t));
    var ul = el('ul', { cls: 'list', id: 'table-list' });
    D.tables.forEach(function (x) {
      var li = el('li', { cls: state.table === x.id ? 'on' : '', 'data-table': x.id }, [el('b', { text: x.id + ' ' }), el('span', { cls: 'chip ' + x.status, text: x.status.replace('_', ' ') }),
        el('div', { cls: 'meta', text: (x.score != null ? 'score ' + x.score + ' (' + x.grade + ') · ' : '') + x.shape[0] + '×' + x.shape[1] + ' · ' + plural(x.findings.length, 'finding') })]);
      li.addEventListener('click', function () { selectTable(x.id, true); });
      ul.appendChild(li);
    });
    sidePanel.appendChild(ul);
  }
  function tableDetails(t) {
    var box = el('div', { id: 'table-details' });
    box.appendChild(el('p', null, [el('b', { text: t.id + ' ' }), el('span', { cls: 'chip ' + t.status, text: t.status.replace('_', ' ') }),
      t.score != null ? ' score ' + t.score + ' (' + t.grade + ')' : '']));
    box.appendChild(dl([['page', t.page], ['read from', t.source], ['shape', t.shape[0] + ' rows × ' + t.shape[1] + ' columns'], ['header rows', t.header_rows],
      ['columns', (t.column_types || []).join(', ')], ['furniture', t.furniture ? 'yes' : '']]));
    box.appendChild(el('h2', { text: 'Findings (' + t.findings.length + ')' }));
    var flagged = new Set();
    if (!t.findings.length) box.appendChild(el('p', { cls: 'empty', text: 'No findings.' }));
    var ul = el('ul', { cls: 'findings' });
    t.findings.forEach(function (f) {
      (f.cells || []).forEach(function (c) { flagged.add(c.row + ':' + c.column); });
      var where = [];
      if (f.row != null) where.push('row ' + f.row);
      if (f.column != null) where.push('column ' + f.column);
      if (f.source) where.push(f.source);
      ul.appendChild(el('li', { cls: 'finding' }, [el('span', { cls: 'chip ' + f.severity, text: f.severity }), ' ', el('code', { text: f.check }),
        where.length ? el('span', { cls: 'meta', text: ' (' + where.join(', ') + ')' }) : null, el('div', { text: f.message })]));
    });
    box.appendChild(ul);
    if (t.parse_concerns && t.parse_concerns.length) {
      box.appendChild(el('h2', { text: 'Server concerns (' + t.parse_concerns.length + ')' }));
      var cu = el('ul', { cls: 'findings' });
      t.parse_concerns.forEach(function (c) {
        cu.appendChild(el('li', null, [el('code', { text: c.type }), ' ' + c.confirmation.replace('_', ' '), c.details ? el('div', { cls: 'meta', text: c.details }) : null,
          c.evidence ? el('div', { cls: 'meta', text: c.evidence }) : null]));
      });
      box.appendChild(cu);
    }
    if (t.grid) {
      box.appendChild(el('h2', { text: 'Grid as parsed (from ' + t.source + ')' }));
      var tbl = el('table', { cls: 'grid' });
      var cols = t.grid.reduce(function (m, r) { return Math.max(m, r.length); }, 0);
      var hr = el('tr', null, [el('td', { cls: 'rn' })]);
      for (var c = 0; c < cols; c++) hr.appendChild(el('td', { cls: 'rn', text: String(c) }));
      tbl.appendChild(hr);
      t.grid.forEach(function (row, r) {
        var tr = el('tr', null, [el('td', { cls: 'rn', text: String(r) })]);
        row.forEach(function (cell, c) {
          var td = el(r < t.header_rows ? 'th' : 'td', { text: cell });
          if (flagged.has(r + ':' + c)) td.className = 'flag';
          tr.appendChild(td);
        });
        tbl.appendChild(tr);
      });
      box.appendChild(el('div', { cls: 'gridwrap' }, [tbl]));
      if (t.grid_rows > t.grid.length) box.appendChild(el('p', { cls: 'meta', text: (t.grid_rows - t.grid.length) + ' more rows not shown (see pagetree tables).' }));
    } else if (t.status !== 'merged_stub') box.appendChild(el('p', { cls: 'empty', text: 'No grid could be read from this table.' }));
    return box;
  }
  function selectTable(id, scroll) {
    state.table = id;
    if (state.mode !== 'tables') setMode('tables');
    drawn.forEach(function (_, n) { restyle(n); });
    side();
    var t = tables.get(id);
    if (scroll && t) goTo(t.page, function () { drawn.forEach(function (_, n) { restyle(n); }); });
  }

  // ---- modes, navigation, lazy drawing ----
  function setMode(m) {
    state.mode = m;
    Array.prototype.forEach.call(document.querySelectorAll('#modes button'), function (b) { b.classList.toggle('on', b.getAttribute('data-mode') === m); });
    document.body.setAttribute('data-mode', m);
    drawn.forEach(function (_, n) { restyle(n); });
    side();
  }
  document.getElementById('modes').addEventListener('click', function (ev) {
    var b = ev.target.closest('button'); if (b) setMode(b.getAttribute('data-mode'));
  });
  document.getElementById('show-numbers').addEventListener('change', function (ev) {
    Array.prototype.forEach.call(document.querySelectorAll('.sheet svg'), function (s) { s.classList.toggle('nonum', !ev.target.checked); });
  });
  function goTo(page, then) {
    var sec = document.getElementById('page-' + page);
    if (!sec) return;
    draw(sec);
    sec.scrollIntoView({ block: 'start' });
    window.scrollBy(0, -90);
    if (then) then();
  }

  var ready = false;
  var io = new IntersectionObserver(function (entries) {
    entries.forEach(function (en) { if (en.isIntersecting) { draw(en.target); io.unobserve(en.target); } });
    if (!ready) {
      ready = true;
      performance.mark('pagetree-view-ready');
      document.documentElement.setAttribute('data-ready', '1');
    }
  }, { rootMargin: '600px 0px' });
  Array.prototype.forEach.call(document.querySelectorAll('section.page'), function (s) { io.observe(s); });
  document.body.setAttribute('data-mode', 'elements');
  side();
  var hash = /^#page-(\d+)$/.exec(location.hash);
  if (hash) goTo(+hash[1]);
})();
