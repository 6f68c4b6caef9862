// Charts with Apache ECharts (lib/echarts, a classic script that defines window.echarts). It is
// ~1 MB of script: loaded after a page has drawn its figures, not before (parsing it would hold up
// the first render by half a second), once per tab. A chart lives as long as its route: it is
// disposed when the route's signal aborts.
import { t } from '../i18n.js';

let echartsLoaded = null;

// After the next frame is painted: whatever the page drew before asking for a chart is on the
// screen before the browser spends its main thread parsing ECharts.
const afterPaint = () => new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));

function loadECharts() {
  echartsLoaded ??= afterPaint().then(() => new Promise((resolve, reject) => {
    if (window.echarts) return resolve(window.echarts);
    const script = document.createElement('script');
    script.src = '/console/lib/echarts/echarts.min.js';
    script.onload = () => resolve(window.echarts);
    script.onerror = () => { echartsLoaded = null; reject(new Error('ECharts did not load')); };
    document.head.append(script);
  }));
  return echartsLoaded;
}

/** A chart in element: setOption at once, drawn when ECharts has loaded (the latest option wins). */
export function chart(element, signal) {
  let instance = null;
  let pending = null;
  const resize = () => instance?.resize();
  loadECharts().then(echarts => {
    if (signal.aborted) return;
    instance = echarts.init(element, null, { renderer: 'canvas' });
    window.addEventListener('resize', resize);
    if (pending) instance.setOption(...pending);
    pending = null;
  }).catch(() => { element.textContent = t('common.chartUnavailable'); });
  signal.addEventListener('abort', () => {
    window.removeEventListener('resize', resize);
    instance?.dispose();
  });
  return {
    setOption(...args) {
      if (instance) instance.setOption(...args);
      else pending = args;
    },
  };
}

export function trendOption(points) {
  return {
    title: { text: t('region.trend'), textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    grid: { left: 48, right: 16, top: 40, bottom: 32 },
    xAxis: { type: 'category', data: points.map(p => p.label) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'line', name: t('figure.open'), data: points.map(p => p.open), smooth: true, areaStyle: { opacity: 0.15 } }],
  };
}

export function sectorOption(figures = {}) {
  const sectors = (figures.bySector ?? []).filter(s => s.open);
  return {
    title: { text: t('region.bySector'), textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    grid: { left: 48, right: 16, top: 40, bottom: 56 },
    xAxis: { type: 'category', data: sectors.map(s => t(s.sector)), axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { type: 'bar', name: t('figure.open'), data: sectors.map(s => s.open ?? 0) },
      { type: 'bar', name: t('figure.overdue'), data: sectors.map(s => s.overdue ?? 0), itemStyle: { color: '#c62828' } },
    ],
  };
}

export function levelOption(figures = {}) {
  return {
    title: { text: t('region.byLevel'), textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'item' },
    series: [{
      type: 'pie', radius: ['35%', '65%'], top: 24,
      data: [
        { name: t('SUPERVISION_LEVEL_COUNTY'), value: figures.atCountyLevel ?? 0 },
        { name: t('SUPERVISION_LEVEL_CITY'), value: figures.atCityLevel ?? 0 },
        { name: t('SUPERVISION_LEVEL_PROVINCE'), value: figures.atProvinceLevel ?? 0 },
      ],
    }],
  };
}
