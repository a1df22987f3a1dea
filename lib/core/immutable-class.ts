// The official helpers that make classes and properties immutable: immutableClass, immutableBaseClass, frozenClass, readOnlyProperty.

type Class = { prototype: object }

/** Freezes the class and makes every prototype method read-only, then seals the prototype. */
export function immutableClass<C extends Class>(ObjectClass: C): C {
  Object.freeze(ObjectClass)
  for (const name of Object.getOwnPropertyNames(ObjectClass.prototype)) {
    if (name !== 'constructor') Object.defineProperty(ObjectClass.prototype, name, { writable: false })
  }
  Object.seal(ObjectClass.prototype)
  return ObjectClass
}

/** immutableClass for a base class whose prototype is cut from Object.prototype first. */
export function immutableBaseClass<C extends Class>(ObjectClass: C): C {
  Object.setPrototypeOf(ObjectClass.prototype, null)
  return immutableClass(ObjectClass)
}

/** A prototype cut from Object.prototype, then the prototype and the class frozen. */
export function frozenClass<C extends Class>(ObjectClass: C): C {
  Object.setPrototypeOf(ObjectClass.prototype, null)
  Object.freeze(ObjectClass.prototype)
  Object.freeze(ObjectClass)
  return ObjectClass
}

/** Defines `name` on `obj` as an enumerable, non-writable value. */
export function readOnlyProperty<T, K extends keyof T>(obj: T, name: K, value: T[K]): void {
  Object.defineProperty(obj, name, { value, enumerable: true, writable: false })
}
