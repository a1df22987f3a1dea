const e = require('./build/lib/index.js')
;(async()=>{
const key = Buffer.alloc(32,1)
const kr = new e.RawAesKeyringNode({ keyName: 'k', keyNamespace: 'n', unencryptedMasterKey: key, wrappingSuite: e.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING })
for (const backend of ['native','js']) {
const c = e.buildClient({backend})
const cmm = new e.NodeCachingMaterialsManager({ backingMaterials: kr, cache: e.getLocalCryptographicMaterialsCache(10), maxAge: 60000 })
const recs = Array.from({length: 500}, (_, i) => Buffer.alloc(1024, i))
let out
for (let w=0; w<20; w++) out = await c.encryptBatch(cmm, recs, { suiteId: 0x0478, encryptionContext: {a:'b'} })
let c0 = process.cpuUsage(); let t0 = process.hrtime.bigint(); const N=100
for (let i=0;i<N;i++) out = await c.encryptBatch(cmm, recs, { suiteId: 0x0478, encryptionContext: {a:'b'} })
let dt = Number(process.hrtime.bigint()-t0)/1e9
let cu = process.cpuUsage(c0); console.log(backend, 'encrypt records/s', Math.round(N*500/dt), 'cpu us/record', ((cu.user+cu.system)/N/500).toFixed(2))
const cts = out.map(o=>o.result)
for (let w=0; w<20; w++) await c.decryptBatch(cmm, cts)
c0 = process.cpuUsage(); t0 = process.hrtime.bigint()
for (let i=0;i<N;i++) await c.decryptBatch(cmm, cts)
dt = Number(process.hrtime.bigint()-t0)/1e9
cu = process.cpuUsage(c0); console.log(backend, 'decrypt records/s', Math.round(N*500/dt), 'cpu us/record', ((cu.user+cu.system)/N/500).toFixed(2))
}
})()
