// The language of the console: Chinese unless the person chose English (kept in localStorage).
import zh from './i18n/zh-CN.js';
import en from './i18n/en.js';

const dictionaries = { 'zh-CN': zh, en };
const storageKey = 'hazardgrid.console.lang';

export function language() {
  return localStorage.getItem(storageKey) === 'en' ? 'en' : 'zh-CN';
}

export function switchLanguage() {
  localStorage.setItem(storageKey, language() === 'en' ? 'zh-CN' : 'en');
}

/** The string for key in the current language, with {name} placeholders filled; the key itself when missing. */
export function t(key, params = {}) {
  const text = dictionaries[language()][key] ?? dictionaries['zh-CN'][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

/** Times as China time (the directives' calendar), whatever the browser's zone. */
export function formatTime(value) {
  if (!value) return '—';
  return new Intl.DateTimeFormat(language(), {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(new Date(value));
}

export function formatShare(value) {
  return `${((value ?? 0) * 100).toFixed(1)}%`;
}
