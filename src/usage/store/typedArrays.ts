// Small helpers for the typed arrays the usage tables are made of.

/** A copy of `a` in a new array of `size` elements (the rest zero). */
export function grown<T extends Uint8Array | Uint32Array | Float64Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}
