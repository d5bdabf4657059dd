// Light and dark themes: the system's choice (prefers-color-scheme) unless the user picked one with the toggle.
const KEY = "swiftbase_dashboard_theme";

/** Applies the saved choice ("light", "dark" or none = follow the system). */
export function applyTheme() {
  const saved = localStorage.getItem(KEY);
  if (saved) document.documentElement.dataset.theme = saved;
  else delete document.documentElement.dataset.theme;
}

/** The theme in effect now. */
export function effectiveTheme() {
  return document.documentElement.dataset.theme ||
    (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
}

/** Switches to the other theme and remembers it. */
export function toggleTheme() {
  const next = effectiveTheme() === "dark" ? "light" : "dark";
  localStorage.setItem(KEY, next);
  applyTheme();
  document.dispatchEvent(new CustomEvent("sb:theme"));
  return next;
}
