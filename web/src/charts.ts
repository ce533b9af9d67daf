/**
 * The dashboards' charts island. The page already holds each chart's heading, summary and
 * table (functions/web/charts.ts); this draws the charts from the JSON the page embeds.
 * uPlot (~22 KB compressed) is fetched only when the charts section comes into view, so
 * the rest of the dashboard never waits for it. Colours are charts.css custom properties.
 */
import type uPlotType from 'uplot';

interface ChartSpec {
  id: string;
  kind: 'line' | 'step' | 'bars';
  x: number[];
  xLabels?: string[];
  series: { label: string; color: string; dash?: number[]; values: (number | null)[] }[];
  yLabel: string;
  timeZone: string;
}

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#1b1f24';

function options(uPlot: typeof uPlotType, spec: ChartSpec, width: number): uPlotType.Options {
  const text = css('--color-text');
  const grid = css('--color-border');
  const bars = spec.kind === 'bars';
  const n = spec.series.length;
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '12px system-ui, sans-serif' };
  return {
    width,
    height: Math.max(180, Math.min(280, Math.round(width * 0.5))),
    // Categories (ratings) are plain numbers; everything else is time.
    // Axis times in the zone the tables use, not the reader's.
    tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), spec.timeZone),
    scales: { x: { time: !spec.xLabels, range: (_u: uPlotType, min: number, max: number) => (bars ? pad(spec.x, min, max) : min === max ? [min - 3600, max + 3600] : [min, max]) }, y: { range: (_u: uPlotType, _min: number, max: number) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
    axes: [
      { ...axis, ...(spec.xLabels ? { values: (_u: uPlotType, ticks: number[]) => ticks.map((t) => spec.xLabels![t - 1] ?? '') , splits: () => spec.x } : {}) },
      { ...axis, label: spec.yLabel, labelFont: '12px system-ui, sans-serif', size: 48, values: (_u: uPlotType, ticks: number[]) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) },
    ],
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    series: [
      {},
      ...spec.series.map((s, i) => ({
        label: s.label,
        stroke: css(s.color),
        width: 2,
        dash: s.dash,
        ...(bars
          ? { fill: css(s.color), paths: uPlot.paths.bars!({ size: [n > 1 ? 0.35 : 0.6, 48], align: n > 1 ? ((i === 0 ? -1 : 1) as -1 | 1) : 0 }), points: { show: false } }
          : { paths: spec.kind === 'step' ? uPlot.paths.stepped!({ align: 1 }) : undefined, points: { show: spec.x.length < 40 } }),
      })),
    ],
  };
}

/** Room for half a bar either side of the first and last. */
function pad(x: number[], min: number, max: number): [number, number] {
  const step = x.length > 1 ? (x[x.length - 1]! - x[0]!) / (x.length - 1) : 3600;
  return [min - step / 2, max + step / 2];
}

async function draw(section: HTMLElement) {
  const json = section.querySelector<HTMLScriptElement>('script[type="application/json"]')?.textContent;
  if (!json) return;
  const specs = JSON.parse(json) as ChartSpec[];
  const { default: uPlot } = await import('uplot');
  const plots: { el: HTMLElement; plot: uPlotType }[] = [];
  for (const spec of specs) {
    const el = section.querySelector<HTMLElement>(`[data-chart="${spec.id}"]`);
    if (!el || !spec.x.length) continue;
    // One point makes no line: hold it for an hour, so the step shows.
    const one = spec.kind !== 'bars' && spec.x.length === 1;
    const x = one ? [spec.x[0]!, spec.x[0]! + 3600] : spec.x;
    const data = [x, ...spec.series.map((s) => (one ? [s.values[0]!, s.values[0]!] : s.values))] as uPlotType.AlignedData;
    plots.push({ el, plot: new uPlot(options(uPlot, spec, el.clientWidth || 320), data, el) });
    el.dataset.drawn = 'true';
  }
  // Follow the width of the page (a phone turned, a window resized).
  const resize = new ResizeObserver(() => {
    for (const { el, plot } of plots) if (el.clientWidth && Math.abs(el.clientWidth - plot.width) > 4) plot.setSize({ width: el.clientWidth, height: plot.height });
  });
  for (const { el } of plots) resize.observe(el);
}

const section = document.querySelector<HTMLElement>('[data-charts]');
if (section) {
  if ('IntersectionObserver' in window) {
    const seen = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        seen.disconnect();
        void draw(section);
      }
    }, { rootMargin: '200px' });
    seen.observe(section);
  } else void draw(section);
}
