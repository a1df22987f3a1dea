// Builds the optional native addon with node-gyp; at install time a failure must never fail `npm install`.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
// --strict (npm run build:native): show the compiler output and propagate failure.
const strict = process.argv.includes('--strict');
const logFile = path.join(root, 'build', 'native-build.log');

function giveUp(reason) {
  if (strict) {
    console.error(`esdk-native: native addon build failed (${reason})`);
    process.exit(1);
  }
  console.log(`esdk-native: native addon not built (${reason}); the pure-JS backend will be used`);
  // A stale binary from an earlier build would contradict the line above.
  fs.rmSync(path.join(root, 'build', 'Release', 'esdk_native.node'), { force: true });
  process.exit(0);
}

function main() {
  if (!strict && process.env.ESDK_SKIP_NATIVE_BUILD === '1') {
    console.log('esdk-native: native addon build skipped (ESDK_SKIP_NATIVE_BUILD=1); the pure-JS backend will be used');
    return;
  }

  // The running node's own headers (including its OpenSSL ones) sit under
  // <prefix>/include/node; pointing node-gyp there means it never tries to
  // download a header tarball, which would hang or fail offline.
  const nodeDir = process.platform === 'win32'
    ? path.dirname(process.execPath)
    : path.dirname(path.dirname(process.execPath));
  if (!fs.existsSync(path.join(nodeDir, 'include', 'node', 'node_api.h'))) {
    giveUp(`Node headers not found under ${path.join(nodeDir, 'include', 'node')}`);
  }

  let nodeGyp;
  try {
    nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    giveUp('node-gyp is not installed');
  }

  // Not `node-gyp rebuild`: its clean step deletes all of build/, which also
  // holds tsc's output (and, in a published package, the shipped build/lib).
  // Removing only node-gyp's own artefacts gives the same fresh build.
  for (const entry of ['Release', 'Debug', 'Makefile', 'binding.Makefile', 'esdk_native.target.mk',
    'config.gypi', 'node_gyp_bins', 'gyp-mac-tool', 'native-build.log']) {
    fs.rmSync(path.join(root, 'build', entry), { recursive: true, force: true });
  }

  const result = spawnSync(
    process.execPath,
    [nodeGyp, 'configure', 'build', `--nodedir=${nodeDir}`, '--jobs=max'],
    { cwd: root, stdio: strict ? 'inherit' : 'pipe', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.error) giveUp(`could not run node-gyp: ${result.error.message}`);
  if (result.status !== 0) {
    if (strict) giveUp(`node-gyp exited with ${result.status ?? result.signal}`);
    const output = `${result.stdout}${result.stderr}`;
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    fs.writeFileSync(logFile, output);
    // The first compiler/make error line is usually the real cause; node-gyp's
    // own "gyp ERR!" lines are generic, so they are the fallback.
    const lines = output.split('\n').map((l) => l.trim());
    const cause = lines.find((l) => /error|not found|No such file/i.test(l) && !l.startsWith('gyp ')) ??
      lines.find((l) => l.startsWith('gyp ERR!')) ?? `exit ${result.status ?? result.signal}`;
    giveUp(`${cause.slice(0, 200)}; full log: ${path.relative(process.cwd(), logFile) || logFile}`);
  }
  if (strict) console.log(`esdk-native: built ${path.join(root, 'build', 'Release', 'esdk_native.node')}`);
}

main();
