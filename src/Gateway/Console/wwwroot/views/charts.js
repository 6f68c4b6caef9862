// Charts with Apache ECharts (window.echarts, lib/echarts). A chart lives as long as its route:
// it is disposed when the route's signal aborts.
import { t } from '../i18n.js';

export function chart(element, signal) {
  const instance = window.echarts.init(element, null, { renderer: 'canvas' });
  const resize = () => instance.resize();
  window.addEventListener('resize', resize);
  signal.addEventListener('abort', () => {
    window.removeEventListener('resize', resize);
    instance.dispose();
  });
  return instance;
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
