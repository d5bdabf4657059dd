// What several pages share: the list of collections (the sidebar, the records pages, relation pickers).
import { collections as collectionsAPI } from "./api.js";

let cached = [];
const listeners = new Set();

/** The collections as last loaded, by name. */
export function allCollections() {
  return cached;
}

/** A collection by id or name from the cache. */
export function findCollection(idOrName) {
  return cached.find((c) => c.id === idOrName || c.name === idOrName) || null;
}

/** Loads the collections again and tells the listeners. */
export async function reloadCollections() {
  const answer = await collectionsAPI.list();
  cached = answer.items || [];
  listeners.forEach((f) => f(cached));
  return cached;
}

/** Calls `listener(collections)` after each reload; answers a function that stops it. */
export function onCollectionsChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
