# node-gyp build of the esdk_native addon; sources and hardening flags come from native/sources.gypi, which CMakeLists.txt reads too.
{
  'includes': [ 'native/sources.gypi' ],
  'targets': [
    {
      'target_name': 'esdk_native',
      # native/sources.gypi: the one source list (CMakeLists.txt reads the same file).
      'sources': [
        '<@(esdk_core_sources)',
        '<@(esdk_binding_sources)',
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
        '<@(esdk_hardening_cflags)',
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
        [ 'OS=="linux"', { 'ldflags': [ '<@(esdk_hardening_ldflags)' ] } ],
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
