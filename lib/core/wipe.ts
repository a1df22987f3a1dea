// Zeroing secrets in place, with the engine's own fill: Buffer#fill parses its arguments in JS first and costs several times more.
const typedFill = Uint8Array.prototype.fill

/** Overwrites every byte of `bytes` with zero. */
export function wipe(bytes: Uint8Array): void {
  typedFill.call(bytes, 0)
}
