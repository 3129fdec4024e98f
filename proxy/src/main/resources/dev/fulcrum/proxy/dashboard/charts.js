'use strict';
// Live line charts on Chart.js (served from its webjar): one line per series, time on the x axis,
// each series bounded to MAX_POINTS so an open page never grows without end.
window.FulcrumCharts = (() => {
  const MAX_POINTS = 300; // five minutes at one sample a second
  const PALETTE = ['#2557c8', '#e8710a', '#1a7f37', '#c62828', '#7b3fbf', '#00838f', '#ad1457', '#5d6d00', '#6d4c41', '#546e7a'];
  const color = i => PALETTE[i % PALETTE.length];
  const clock = v => new Date(v).toLocaleTimeString([], { hour12: false });

  class LiveChart {
    /** A card titled `title` (and `unit`) in `parent`; `options.format` formats values, `options.stepped` draws steps. */
    constructor(parent, id, title, unit, options = {}) {
      this.format = options.format || (v => String(v));
      this.card = document.createElement('div');
      this.card.className = 'card';
      this.card.dataset.chart = id;
      this.card.dataset.points = '0';
      const heading = document.createElement('h3');
      heading.textContent = title;
      if (unit) {
        const note = document.createElement('span');
        note.textContent = ` · ${unit}`;
        heading.append(note);
      }
      const box = document.createElement('div');
      box.className = 'chart-box';
      const canvas = document.createElement('canvas');
      box.append(canvas);
      this.card.append(heading, box);
      parent.append(this.card);
      this.chart = new Chart(canvas, {
        type: 'line',
        data: { datasets: [] },
        options: {
          animation: false, parsing: false, normalized: true, responsive: true, maintainAspectRatio: false, spanGaps: true,
          interaction: { mode: 'nearest', axis: 'x', intersect: false },
          elements: { point: { radius: 0, hitRadius: 4 }, line: { borderWidth: 1.6, tension: 0, stepped: options.stepped || false } },
          scales: {
            x: { type: 'linear', bounds: 'data', ticks: { maxTicksLimit: 5, maxRotation: 0, callback: clock } },
            y: { beginAtZero: true, suggestedMax: options.suggestedMax, ticks: { maxTicksLimit: 5, callback: v => this.format(v) } },
          },
          plugins: {
            legend: { position: 'bottom', labels: { boxWidth: 10, boxHeight: 10 } },
            tooltip: {
              callbacks: {
                title: items => (items.length ? clock(items[0].parsed.x) : ''),
                label: item => `${item.dataset.label}: ${this.format(item.parsed.y)}`,
              },
            },
          },
        },
      });
    }

    /** Appends (x, y) to the series `label`, made on first use in colour `index`; a null y is a gap. */
    push(label, index, x, y, dashed = false) {
      let series = this.chart.data.datasets.find(d => d.label === label);
      if (!series) {
        series = { label, data: [], borderColor: color(index), backgroundColor: color(index), borderDash: dashed ? [5, 4] : [] };
        this.chart.data.datasets.push(series);
      }
      series.data.push({ x, y: y ?? null });
      if (series.data.length > MAX_POINTS) {
        series.data.shift();
      }
    }

    /** Redraws, and records in the card how many points its first series holds (the browser test reads it). */
    draw() {
      this.chart.update('none');
      const first = this.chart.data.datasets[0];
      this.card.dataset.points = String(first ? first.data.length : 0);
    }

    destroy() {
      this.chart.destroy();
      this.card.remove();
    }
  }

  return { LiveChart, color, MAX_POINTS };
})();
