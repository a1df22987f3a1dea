# The one list of native sources and hardening flags: binding.gyp includes this file, CMakeLists.txt reads it (one quoted entry per line).
{
  'variables': {
    # Crypto and validation over OpenSSL with no Node-API calls: the addon, and the standalone fuzz
    # and constant-time harnesses (test/native), link these.
    'esdk_core_sources': [
      'native/algorithms.cc',
      'native/batch.cc',
      'native/batch_table.cc',
      'native/body_job.cc',
      'native/cpu_features.cc',
      'native/digest.cc',
      'native/ec_keys.cc',
      'native/ecdh.cc',
      'native/frame_table.cc',
      'native/frames.cc',
      'native/gcm.cc',
      'native/gcm_vaes.cc',
      'native/header_auth.cc',
      'native/hkdf.cc',
      'native/hmac.cc',
      'native/huge_pages.cc',
      'native/key_wrap.cc',
      'native/message.cc',
      'native/message_stream.cc',
      'native/p384.cc',
      'native/rsa_pkcs1.cc',
      'native/suites.cc',
    ],
    # The Node-API layer: argument reading, handles, thread-pool workers, the status table.
    'esdk_binding_sources': [
      'native/addon.cc',
      'native/batch_bindings.cc',
      'native/body_workers.cc',
      'native/crypto_bindings.cc',
      'native/ecdh_bindings.cc',
      'native/ecdsa_bindings.cc',
      'native/gcm_test_bindings.cc',
      'native/js_args.cc',
      'native/message_bindings.cc',
      'native/parallel_bindings.cc',
      'native/rsa_bindings.cc',
      'native/signing_key_stock.cc',
      'native/status.cc',
      'native/stream_bindings.cc',
    ],
    # The usual hardening: stack canaries, checked libc calls, read-only relocations bound at load
    # (full RELRO; -z now also makes a missing OpenSSL symbol fail the load by name), no executable stack.
    'esdk_hardening_cflags': [
      '-fstack-protector-strong',
      # Undefined first: a compiler that predefines it (as on Ubuntu) would warn on the redefinition, an error here.
      '-U_FORTIFY_SOURCE',
      '-D_FORTIFY_SOURCE=2',
    ],
    'esdk_hardening_ldflags': [
      '-Wl,-z,relro',
      '-Wl,-z,now',
      '-Wl,-z,noexecstack',
    ],
  },
}
