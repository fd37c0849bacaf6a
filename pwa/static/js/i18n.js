// Words on screen in Chinese and English, from fahuo's one catalogue (served as /texts.json, kept offline by
// the service worker). The server tells the browser's language from its Accept-Language; the header button
// switches, and the choice is kept on the phone.
const served = await fetch("/texts.json").then((resp) => resp.json());
const WORDS = served.words;
let lang = localStorage.getItem("fahuo.lang") || served.language;
document.documentElement.lang = lang;

// The words for `key`; `{name}` in them is filled from `params`.
export function t(key, params) {
  const words = WORDS[lang]?.[key] ?? key;
  return params ? words.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? "")) : words;
}
// A state as a word, never the enum value: `kind` is the document it belongs to (order, shipment, transfer, …).
export function statusWord(status, kind = "order") {
  return WORDS[lang]?.[`status.${kind}.${status}`] ?? status;
}
// A name for the reader (a product's, a warehouse's): its Chinese name for Chinese readers, when it has one.
export function productName(item) {
  if (!item) return "";
  return (lang === "zh" && item.name_zh) || item.name || "";
}
export function language() { return lang; }
export function switchLanguage() {
  lang = lang === "zh" ? "en" : "zh";
  localStorage.setItem("fahuo.lang", lang);
  document.documentElement.lang = lang;
}
