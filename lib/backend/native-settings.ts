// Resolves the addon's settings from the configuration: our own code or OpenSSL's for frame AES-GCM and P-384.
import { EsdkConfig } from '../core/config'
import { NativeAddon, NativeSettings } from './native-types'

/** What `auto` means for P-384 here: our k*G (keys) unless the runtime's OpenSSL is known to be faster. */
export function autoP384(_addon: NativeAddon): NativeSettings['p384'] {
  return 'keys'
}

/** ESDK_GCM_IMPL and ESDK_P384, resolved for the addon (it still falls back to EVP where the CPU lacks VAES). */
export function nativeSettings(config: EsdkConfig, addon: NativeAddon): NativeSettings {
  return {
    gcm: config.gcm === 'evp' ? 'evp' : 'vaes',
    p384: config.p384 === 'auto' ? autoP384(addon) : config.p384,
  }
}
