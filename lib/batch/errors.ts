// A batch record's failure as the library's typed error: EsdkErrors as they are, anything else with its cause (a custom CMM's own error, a backend fault).
import { EsdkError, KeyringError, NativeBindingError } from '../core/errors'

/** A failure getting a record's materials: a CMM or keyring error that is not already an EsdkError is a KeyringError with it as the cause. */
export function recordError(error: unknown): EsdkError {
  if (error instanceof EsdkError) return error
  return new KeyringError(`materials failed: ${error instanceof Error ? error.message : String(error)}`, [error])
}

/** A fault of the backend call that sealed or opened a record's region (never an authentication failure, which is per record). */
export function backendError(error: unknown): EsdkError {
  if (error instanceof EsdkError) return error
  return new NativeBindingError('the backend failed the batch', [
    error instanceof Error ? error.message : String(error),
  ])
}
