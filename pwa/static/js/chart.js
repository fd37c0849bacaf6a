// The dashboard's chart: orders received and shipped per day as paired bars, with a value axis, the dates
// under the bars and each day's figures on them, so it can be read without touching it.

const W = 360, H = 216, LEFT = 30, RIGHT = 6, TOP = 22, BOTTOM = 34;

// a round step for the value axis: 1, 2, 5, 10, 20, 50 … giving at most four lines
function step(top) {
  for (const base of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]) if (top / base <= 4) return base;
  return Math.ceil(top / 4);
}

export function dayChart(days, received, shipped, label) {
  const most = Math.max(1, ...received, ...shipped);
  const every = step(most);
  const top = Math.ceil(most / every) * every;
  const plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
  const y = (v) => TOP + plotH - (v / top) * plotH;
  const slot = plotW / days.length;
  const bar = slot * 0.36;
  const parts = [];
  for (let v = 0; v <= top; v += every) {
    parts.push(`<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${y(v)}" y2="${y(v)}"/>`,
      `<text class="tick" x="${LEFT - 4}" y="${y(v) + 3.5}" text-anchor="end">${v}</text>`);
  }
  const labelEvery = days.length > 10 ? 2 : 1;
  days.forEach((day, i) => {
    const x = LEFT + i * slot + slot * 0.12;
    for (const [value, kind, dx] of [[received[i], "in", 0], [shipped[i], "out", bar + slot * 0.04]]) {
      const h = (value / top) * plotH;
      parts.push(`<rect class="${kind}" x="${x + dx}" y="${y(value)}" width="${bar}" height="${h}">` +
        `<title>${day} ${label[kind]} ${value}</title></rect>`);
      if (value) parts.push(`<text class="value" x="${x + dx + bar / 2}" y="${y(value) - 2}" text-anchor="middle">${value}</text>`);
    }
    if ((days.length - 1 - i) % labelEvery === 0) {  // the last day (today) always has its date
      parts.push(`<text class="date" x="${LEFT + i * slot + slot / 2}" y="${H - BOTTOM + 13}" text-anchor="middle">` +
        `${day.slice(5).replace("-", "/")}</text>`);
    }
  });
  parts.push(`<line class="axis" x1="${LEFT}" x2="${W - RIGHT}" y1="${y(0)}" y2="${y(0)}"/>`,
    `<line class="axis" x1="${LEFT}" x2="${LEFT}" y1="${TOP}" y2="${y(0)}"/>`,
    `<text class="axis-name" x="${LEFT + plotW / 2}" y="${H - 4}" text-anchor="middle">${label.day}</text>`,
    `<text class="axis-name" x="2" y="9">${label.orders}</text>`);
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${label.in} / ${label.out}">${parts.join("")}</svg>`;
}
