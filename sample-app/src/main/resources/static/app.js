// The sample's live page: polls the two keepalive actuator endpoints about once a second, charts their totals
// over the last minutes, and runs the demos.
// Plain DOM, no build step. Every value from the server goes in through textContent, never as HTML.
(function () {
  'use strict';

  const REFRESH_MILLIS = 1000;
  const CHART_WINDOW_MILLIS = 5 * 60 * 1000;
  // What the chart draws, from the totals of each refresh: the pool filling, starving and recovering.
  const SERIES = [
    { key: 'active', label: 'active connections', color: '#a26200' },
    { key: 'idle', label: 'idle connections', color: '#1f7a4d' },
    { key: 'waiting', label: 'waiting callers', color: '#b3261e' },
    { key: 'open', label: 'open bodies', color: '#3f51b5' },
  ];
  const history = [];              // { t, active, idle, waiting, open }, oldest first, CHART_WINDOW_MILLIS long
  const openStacks = new Set();   // body ids whose stack the reader has unfolded, kept across refreshes

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === 'class') node.className = value;
      else if (key.startsWith('data-')) node.setAttribute(key, value);
      else node[key] = value;
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function duration(millis) {
    if (millis < 1000) return millis + ' ms';
    if (millis < 60000) return (millis / 1000).toFixed(1) + ' s';
    const minutes = Math.floor(millis / 60000);
    return minutes + ' min ' + Math.floor((millis % 60000) / 1000) + ' s';
  }

  function size(bytes) {
    if (bytes < 0) return '?';
    if (bytes < 1024) return bytes + ' B';
    if (bytes < 1048576) return (bytes / 1024).toFixed(bytes % 1024 ? 1 : 0) + ' KiB';
    return (bytes / 1048576).toFixed(1) + ' MiB';
  }

  function counters(target, entries, warnKeys) {
    target.replaceChildren(...entries.map(([key, label, value]) =>
      el('div', { class: warnKeys.includes(key) && value > 0 ? 'warn' : '' },
        el('dt', {}, label), el('dd', { id: target.id + '-' + key }, value))));
  }

  function renderPools(data) {
    const t = data.totals;
    const closed = Object.entries(t.closedBy).filter(([, n]) => n > 0).map(([k, n]) => k + ' ' + n).join(', ');
    counters($('pool-totals'), [
      ['active', 'active', t.active], ['idle', 'idle', t.idle], ['waiting', 'waiting', t.waiting],
      ['opened', 'opened', t.opened], ['closed', 'closed', t.closed], ['reused', 'reused', t.reused],
    ], ['waiting']);
    $('closed-by').textContent = 'closed by reason: ' + (closed || 'none yet');
    const pools = data.pools.map((pool) => {
      const rows = pool.connections.map((c) => el('tr', { class: 'connection-row', 'data-id': c.id },
        el('td', { class: 'num' }, c.id),
        el('td', {}, el('span', { class: 'state ' + c.state }, c.state)),
        el('td', { class: 'num' }, c.localPort),
        el('td', { class: 'num' }, duration(c.ageMillis)),
        el('td', { class: 'num' }, c.state === 'idle' ? duration(c.idleMillis) : '–'),
        el('td', { class: 'num' }, c.requests)));
      const cap = pool.maxConns > 0 ? pool.maxConns : 'no cap';
      return el('div', { class: 'route', 'data-route': pool.route },
        el('h3', {}, pool.route,
          el('span', { class: 'muted' },
            `active ${pool.active} · idle ${pool.idle} · waiting ${pool.waiting} · max ${cap} · max idle ${pool.maxIdleConns}`)),
        rows.length === 0 ? el('p', { class: 'empty' }, 'No connections.') :
          el('table', {},
            el('thead', {}, el('tr', {}, ...['connection', 'state', 'local port', 'age', 'idle for', 'requests']
              .map((h) => el('th', {}, h)))),
            el('tbody', {}, ...rows)));
    });
    if (pools.length === 0) pools.push(el('p', { class: 'empty' }, 'No route yet: click a demo.'));
    $('pools').replaceChildren(...pools);
  }

  // A body whose declared length has been read is at EOF: its connection is already back in the pool, but
  // nobody closed it yet (read-no-close). Otherwise it is open, and a leak suspect after the threshold.
  function bodyState(b) {
    if (b.contentLength >= 0 && b.bytesRead >= b.contentLength) {
      return el('span', { class: 'state eof', title: 'connection already returned; close() still missing' }, 'at EOF, not closed');
    }
    return b.leakSuspect
      ? el('span', { class: 'state suspect', title: 'no read for the leak-detection threshold' }, 'leak suspect')
      : el('span', { class: 'state open' }, 'open');
  }

  function renderBodies(data) {
    const t = data.totals;
    counters($('body-totals'), [
      ['open', 'open', t.open], ['leakSuspects', 'leak suspects', t.leakSuspects], ['opened', 'opened', t.opened],
      ['eof', 'eof + closed', t.eof], ['earlyCloseDrained', 'early, drained', t.earlyCloseDrained],
      ['earlyCloseDiscarded', 'early, discarded', t.earlyCloseDiscarded],
      ['eofNotClosed', 'eof, not closed', t.eofNotClosed], ['leaked', 'leaked', t.leaked],
    ], ['leakSuspects', 'leaked', 'eofNotClosed']);
    const rows = data.bodies.map((b) => {
      const opened = b.stack
        ? el('details', { open: openStacks.has(b.id) },
            el('summary', { class: 'mono opened-at' }, b.openedAt),
            el('ol', {}, ...b.stack.map((frame) => el('li', { class: 'mono' }, frame))))
        : el('span', { class: 'mono opened-at' }, b.openedAt);
      if (b.stack) opened.addEventListener('toggle', () => opened.open ? openStacks.add(b.id) : openStacks.delete(b.id));
      return el('tr', { class: 'body-row', 'data-id': b.id },
        el('td', { class: 'num' }, b.id),
        el('td', {}, b.method),
        el('td', { class: 'mono' }, b.uri),
        el('td', { class: 'num' }, duration(b.ageMillis)),
        el('td', { class: 'num' }, duration(b.idleMillis)),
        el('td', { class: 'num' }, size(b.bytesRead)),
        el('td', { class: 'num' }, size(b.contentLength)),
        el('td', {}, bodyState(b)),
        el('td', {}, opened));
    });
    $('bodies').replaceChildren(...rows);
    $('bodies-empty').hidden = rows.length > 0;
  }

  const SVG = 'http://www.w3.org/2000/svg';

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A round upper bound for the y axis, so that its four grid lines fall on whole numbers.
  function niceMax(value) {
    let max = 4;
    while (max < value) max = max < 20 ? max + 4 : max * 2;
    return max;
  }

  function record(pools, bodies) {
    const now = Date.now();
    history.push({ t: now, active: pools.totals.active, idle: pools.totals.idle, waiting: pools.totals.waiting,
      open: bodies.totals.open });
    while (history.length > 0 && history[0].t < now - CHART_WINDOW_MILLIS) history.shift();
  }

  // Plain SVG, drawn here: time runs left to right over the last 5 minutes, one polyline per series. Each
  // polyline carries its latest and highest value (data-last, data-max) for the reader and for tests.
  function drawChart() {
    const chart = $('chart');
    const width = 1000, height = 220, left = 34, right = 8, top = 8, bottom = 20;
    const now = history.length ? history[history.length - 1].t : Date.now();
    // The time axis spans what was seen, one to five minutes, so that a fresh page shows a storm wide.
    const span = Math.min(CHART_WINDOW_MILLIS, Math.max(60000, history.length ? now - history[0].t : 0));
    const yMax = niceMax(Math.max(0, ...history.flatMap((p) => SERIES.map((s) => p[s.key]))));
    const x = (t) => left + (width - left - right) * (1 - (now - t) / span);
    const y = (v) => top + (height - top - bottom) * (1 - v / yMax);
    const nodes = [];
    for (let i = 0; i <= 4; i++) {
      const value = yMax * i / 4;
      nodes.push(svg('line', { class: 'grid', x1: left, x2: width - right, y1: y(value), y2: y(value) }));
      nodes.push(svg('text', { class: 'axis', x: left - 6, y: y(value) + 4, 'text-anchor': 'end' }, value));
    }
    for (let tick = 5; tick >= 0; tick--) {
      const ago = span * tick / 5;
      const label = tick === 0 ? 'now' : '−' + (ago >= 60000 ? +(ago / 60000).toFixed(1) + ' min' : Math.round(ago / 1000) + ' s');
      nodes.push(svg('text', { class: 'axis', x: x(now - ago), y: height - 5,
        'text-anchor': tick === 5 ? 'start' : tick === 0 ? 'end' : 'middle' }, label));
    }
    for (const s of SERIES) {
      const points = history.map((p) => x(p.t).toFixed(1) + ',' + y(p[s.key]).toFixed(1)).join(' ');
      const values = history.map((p) => p[s.key]);
      nodes.push(svg('polyline', { class: 'series', 'data-series': s.key, stroke: s.color, points,
        'data-last': values.length ? values[values.length - 1] : 0, 'data-max': Math.max(0, ...values) }));
    }
    chart.replaceChildren(...nodes);
    chart.setAttribute('data-samples', history.length);
    const last = history[history.length - 1] || {};
    $('chart-legend').replaceChildren(...SERIES.map((s) => el('span',
      { class: 'legend-item', 'data-series': s.key, style: '--swatch: ' + s.color },
      s.label + ' ', el('b', {}, last[s.key] ?? 0))));
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (!response.ok) throw new Error(url + ' answered ' + response.status);
    return response.json();
  }

  async function refresh() {
    try {
      const [pools, bodies] = await Promise.all([getJson('actuator/httppools'), getJson('actuator/httpbodies')]);
      renderPools(pools);
      renderBodies(bodies);
      record(pools, bodies);
      drawChart();
      $('live').className = 'dot ok';
      $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    } catch (error) {
      $('live').className = 'dot down';
      $('updated').textContent = 'refresh failed: ' + error.message;
    } finally {
      setTimeout(refresh, REFRESH_MILLIS);
    }
  }

  function showResult(state, body, ok) {
    $('last-state').textContent = state;
    $('lesson').textContent = (body && body.lesson) || '';
    $('last-json').textContent = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
    $('last-json').classList.toggle('error', !ok);
  }

  async function run(button, url, method) {
    button.disabled = true;
    const started = performance.now();
    showResult('running ' + url + ' …', 'waiting for the answer…', true);
    try {
      const response = await fetch(url, { method: method || 'GET', headers: { Accept: 'application/json' } });
      const text = await response.text();
      let body;
      try { body = JSON.parse(text); } catch (e) { body = text; }
      showResult(`${method || 'GET'} ${decodeURIComponent(url)} → ${response.status} in ${Math.round(performance.now() - started)} ms`,
        body, response.ok);
    } catch (error) {
      showResult('failed', String(error), false);
    } finally {
      button.disabled = false;
    }
  }

  function demoUrl(demo) {
    const params = new URLSearchParams({ path: $('path').value.trim() || '/upstream/bytes/1024' });
    if (demo === 'early-close') params.set('read', $('read').value || '0');
    if (demo === 'storm') params.set('n', $('n').value || '10');
    return 'demo/' + demo + '?' + params;
  }

  for (const button of document.querySelectorAll('button[data-demo]')) {
    button.addEventListener('click', () => run(button, demoUrl(button.dataset.demo)));
  }
  $('demo-gc').addEventListener('click', () => run($('demo-gc'), 'demo/gc', 'POST'));

  refresh();
})();
