# node-gyp build of the esdk_native addon; CMakeLists.txt mirrors these sources and flags.
{
  'targets': [
    {
      'target_name': 'esdk_native',
      'sources': [
        'native/addon.cc',
        'native/algorithms.cc',
        'native/body_job.cc',
        'native/batch.cc',
        'native/batch_bindings.cc',
        'native/body_workers.cc',
        'native/cpu_features.cc',
        'native/crypto_bindings.cc',
        'native/digest.cc',
        'native/ec_keys.cc',
        'native/ecdh.cc',
        'native/ecdh_bindings.cc',
        'native/ecdsa_bindings.cc',
        'native/signing_key_stock.cc',
        'native/frame_table.cc',
        'native/frames.cc',
        'native/gcm.cc',
        'native/gcm_test_bindings.cc',
        'native/gcm_vaes.cc',
        'native/header_auth.cc',
        'native/hkdf.cc',
        'native/huge_pages.cc',
        'native/hmac.cc',
        'native/js_args.cc',
        'native/key_wrap.cc',
        'native/message.cc',
        'native/message_bindings.cc',
        'native/message_stream.cc',
        'native/p384.cc',
        'native/parallel_bindings.cc',
        'native/rsa_bindings.cc',
        'native/rsa_pkcs1.cc',
        'native/status.cc',
        'native/stream_bindings.cc',
        'native/suites.cc',
      ],
      'include_dirs': [
        "<!(node -p \"require('node-addon-api').include_dir\")",
      ],
      # OpenSSL headers come from Node's own include dir (already on node-gyp's
      # include path); the node binary exports the symbols, so no -lcrypto:
      # linking a second libcrypto would give two copies with separate state.
      'defines': [
        'NAPI_VERSION=8',
        'NAPI_DISABLE_CPP_EXCEPTIONS',
      ],
      'cflags': [
        '-Wall',
        '-Wextra',
        '-Werror',
        '-fvisibility=hidden',
      ],
      # Node's common.gypi asks for gnu++17; we want the portable dialect.
      'cflags_cc!': [ '-std=gnu++17', '-fexceptions', '-frtti' ],
      'cflags_cc': [
        '-std=c++17',
        '-fno-exceptions',
        '-fno-rtti',
        '-fvisibility-inlines-hidden',
      ],
      # Bind every symbol at dlopen: a binary built against a newer OpenSSL than the running node's
      # (Node 24's 3.5 headers, loaded by Node 20's 3.0) then fails to load with the missing symbol's
      # name, which the loader records, instead of killing the process at the first call into it.
      'conditions': [
        [ 'OS=="linux"', { 'ldflags': [ '-Wl,-z,now' ] } ],
      ],
      'xcode_settings': {
        'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
        'GCC_ENABLE_CPP_EXCEPTIONS': 'NO',
        'GCC_ENABLE_CPP_RTTI': 'NO',
        'GCC_SYMBOLS_PRIVATE_EXTERN': 'YES',
        'GCC_INLINES_ARE_PRIVATE_EXTERN': 'YES',
        'GCC_TREAT_WARNINGS_AS_ERRORS': 'YES',
        'MACOSX_DEPLOYMENT_TARGET': '11.0',
        'WARNING_CFLAGS': [ '-Wall', '-Wextra' ],
      },
    },
  ],
}
