// A batch record's failure as the library's typed error: EsdkErrors as they are, anything else (a custom CMM's own error) as its cause.
import { EsdkError, KeyringError } from '../core/errors'

export function recordError(error: unknown): EsdkError {
  if (error instanceof EsdkError) return error
  return new KeyringError(`materials failed: ${error instanceof Error ? error.message : String(error)}`, [error])
}
