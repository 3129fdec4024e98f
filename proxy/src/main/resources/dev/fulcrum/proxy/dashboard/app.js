'use strict';
// The live dashboard: polls GET /api/dashboard once a second, feeds the charts and tables, and lays
// the page out again when pools, backends, policy quantities, classes or nodes change.
(() => {
  const POLL_MS = 1000;
  const { LiveChart, color } = window.FulcrumCharts;
  const $ = id => document.getElementById(id);

  const fmt = {
    count: v => (v == null ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(1)),
    ms: v => (v == null ? '–' : v === 0 ? '0' : v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(0)),
    num: v => (v == null ? '–' : Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)))),
    ratio: v => (v == null ? '–' : v.toFixed(3)),
    rate: v => {
      if (v == null) return '–';
      const units = ['B/s', 'KiB/s', 'MiB/s', 'GiB/s'];
      let i = 0;
      while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
      return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
    },
    uptime: ms => { const s = Math.floor(ms / 1000); return `${Math.floor(s / 3600)}h ${Math.floor(s / 60) % 60}m ${s % 60}s`; },
  };
  const NUMERIC = /^(–|-?[\d.]+( [KMG]?i?B\/s)?)$/;
  const health = state => ({ up: 1, 'slow-start': 0.5 }[state] ?? 0);

  // What each pool charts for every backend: [field or function, title, unit, format, options].
  const BACKEND_CHARTS = [
    ['activeFlows', 'Active flows', 'flows', fmt.count],
    ['flowsPerSecond', 'New flows', 'per second, 5 s window', fmt.num],
    ['rttMillis', 'RTT to backend', 'ms, TCP_INFO smoothed', fmt.ms],
    ['fctP50Millis', 'Flow completion time p50', 'ms, 5 s window', fmt.ms],
    ['fctP99Millis', 'Flow completion time p99', 'ms, 5 s window', fmt.ms],
    ['weight', 'Weight', '', fmt.count],
    [b => health(b.state), 'Health', '1 up · ½ slow start · 0 down, ejected or draining',
      v => ({ 1: 'up', 0.5: 'slow', 0: 'down' }[v] ?? ''), { stepped: true, suggestedMax: 1 }],
  ];

  let layoutKey = null;
  let feeds = []; // functions (view, t) called on every sample
  let charts = [];
  let samples = 0;

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === 'dataset') Object.assign(node.dataset, value); else node[key] = value;
    }
    node.append(...children);
    return node;
  }

  function chart(parent, id, title, unit, format, options = {}) {
    const live = new LiveChart(parent, id, title, unit, { format, ...options });
    charts.push(live);
    return live;
  }

  function layoutOf(view) {
    return JSON.stringify([view.pools.map(p => [p.name, p.policy, p.insightQuantities, p.backends.map(b => b.name)]),
      view.classes.map(c => c.name), view.nodes.map(n => n.name)]);
  }

  function buildPool(pool, parent) {
    const section = el('section', { className: 'pool', dataset: { pool: pool.name } },
      el('h2', {}, `Pool ${pool.name}`, el('small', {}, `policy ${pool.policy}`)));
    const quantities = pool.insightQuantities;
    const heads = ['backend', 'address', 'state', 'weight', 'active', 'flows/s', 'RTT ms', 'FCT p50 ms', 'FCT p99 ms',
      'flows', 'connect failures', ...quantities];
    const body = el('tbody');
    section.append(el('table', { className: 'backends' },
      el('thead', {}, el('tr', {}, ...heads.map((h, c) => el('th', { className: c <= 2 ? 'text' : '' }, h)))), body));
    const rows = pool.backends.map((backend, i) => {
      const cells = heads.map((_, c) => el('td', { className: c <= 2 ? 'text' : '' }));
      const swatch = el('span', { className: 'swatch' });
      swatch.style.backgroundColor = color(i);
      cells[0].append(swatch, backend.name);
      body.append(el('tr', { dataset: { backend: backend.name } }, ...cells));
      return cells;
    });
    feeds.push(view => {
      const now = view.pools.find(p => p.name === pool.name);
      now.backends.forEach((b, i) => {
        const values = [null, b.address, null, fmt.count(b.weight), fmt.count(b.activeFlows), fmt.num(b.flowsPerSecond),
          fmt.ms(b.rttMillis), fmt.ms(b.fctP50Millis), fmt.ms(b.fctP99Millis), fmt.count(b.flows), fmt.count(b.connectFailures),
          ...quantities.map(q => fmt.num(b.insight[q]))];
        values.forEach((text, c) => { if (text != null) rows[i][c].textContent = text; });
        rows[i][2].replaceChildren(el('span', { className: `state ${b.state}` }, b.state));
      });
    });

    const grid = el('div', { className: 'charts' });
    section.append(grid);
    for (const [field, title, unit, format, options] of BACKEND_CHARTS) {
      const value = typeof field === 'function' ? field : b => b[field];
      const id = `${pool.name}/${typeof field === 'function' ? 'health' : field}`;
      const live = chart(grid, id, title, unit, format, options);
      feeds.push((view, t) => view.pools.find(p => p.name === pool.name).backends
        .forEach((b, i) => live.push(b.name, i, t, value(b))));
    }
    for (const quantity of quantities) {
      const measured = quantity === 'predictedLoad'; // set beside what it predicts
      const live = chart(grid, `${pool.name}/insight/${quantity}`, `Policy: ${quantity}`,
        measured ? `${pool.policy}; dashed: measured active flows` : pool.policy, fmt.num);
      feeds.push((view, t) => view.pools.find(p => p.name === pool.name).backends.forEach((b, i) => {
        live.push(b.name, i, t, b.insight[quantity]);
        if (measured) live.push(`${b.name} measured`, i, t, b.activeFlows, true);
      }));
    }
    parent.append(section);
  }

  function buildQos(view) {
    const grid = $('qos-charts');
    $('qos-section').hidden = view.classes.length === 0 && view.nodes.length === 0;
    if (view.classes.length) {
      const rates = chart(grid, 'qos/rates', 'Class rates', 'bytes per second each way', fmt.rate);
      feeds.push((v, t) => v.classes.forEach((c, i) => {
        rates.push(`${c.name} set`, i, t, c.rate);
        rates.push(`${c.name} measured`, i, t, c.measuredRate, true);
      }));
    }
    if (view.nodes.length) {
      const watermarks = chart(grid, 'qos/watermarks', 'Node watermarks', 'capacity used, 0 to 1', fmt.ratio, { suggestedMax: 1 });
      const pressures = chart(grid, 'qos/pressures', 'Node pressures', 'from the watermark', fmt.num);
      feeds.push((v, t) => v.nodes.forEach((n, i) => {
        watermarks.push(n.name, i, t, n.watermark);
        pressures.push(n.name, i, t, n.pressure);
      }));
    }
  }

  function layout(view) {
    charts.forEach(c => c.destroy());
    charts = [];
    feeds = [];
    $('pools').replaceChildren();
    $('qos-charts').replaceChildren();
    view.pools.forEach(pool => buildPool(pool, $('pools')));
    buildQos(view);
    layoutKey = layoutOf(view);
  }

  function fillTable(id, rows) {
    $(id).tBodies[0].replaceChildren(...rows.map(cells => el('tr', {}, ...cells.map((text, c) =>
      el('td', { className: c > 0 && NUMERIC.test(text ?? '–') ? '' : 'text', textContent: text ?? '–' })))));
  }

  function render(view) {
    if (layoutOf(view) !== layoutKey) {
      layout(view);
    }
    const t = view.timestampMillis;
    feeds.forEach(feed => feed(view, t));
    charts.forEach(c => c.draw());
    fillTable('models', view.models.map(m => [m.name, m.kind, m.version, m.serving ? 'yes' : 'no',
      m.checksum ? String(m.checksum).slice(0, 12) : null, m.loadedAt, fmt.count(m.loadFailures), m.lastError]));
    if (!view.models.length) fillTable('models', [['no model loaded', '', '', '', '', '', '', '']]);
    fillTable('classes', view.classes.map(c => [c.name, fmt.rate(c.rate), fmt.rate(c.measuredRate)]));
    fillTable('nodes', view.nodes.map(n => [n.name, fmt.ratio(n.watermark), fmt.num(n.pressure)]));
    samples++;
    $('samples').textContent = `samples: ${samples}`;
    $('samples').dataset.samples = String(samples);
    $('summary').textContent = `${view.version} · ${view.transport} · ${view.state} · up ${fmt.uptime(view.uptimeMillis)}`;
  }

  function status(text, kind) {
    $('status').textContent = text;
    $('status').className = `status ${kind}`;
  }

  async function poll() {
    try {
      const response = await fetch('/api/dashboard', { cache: 'no-store' });
      if (!response.ok) throw new Error(`GET /api/dashboard: ${response.status}`);
      render(await response.json());
      status(`live · ${new Date().toLocaleTimeString([], { hour12: false })}`, 'live');
    } catch (e) {
      status(`no data: ${e.message}`, 'error'); // the proxy stopped or restarted: keep trying
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  poll();
})();
