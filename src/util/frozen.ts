/** Object.freeze without literal types: a frozen defaults object keeps `number`, not `16`. */
export function frozen<T extends object>(value: T): Readonly<T> {
  return Object.freeze(value);
}

/** The options without the keys set to undefined: an explicit undefined means the default. */
export function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
