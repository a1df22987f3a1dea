const e = require('./build/lib/index.js')
;(async()=>{
const key = Buffer.alloc(32,1)
const kr = new e.RawAesKeyringNode({ keyName: 'k', keyNamespace: 'n', unencryptedMasterKey: key, wrappingSuite: e.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING })
const c = e.buildClient({backend: 'native'})
const cmm = new e.NodeCachingMaterialsManager({ backingMaterials: kr, cache: e.getLocalCryptographicMaterialsCache(10), maxAge: 60000 })
const recs = Array.from({length: 500}, (_, i) => Buffer.alloc(1024, i))
const mode = process.argv[2]
let out = await c.encryptBatch(cmm, recs, { suiteId: 0x0478, encryptionContext: {a:'b'} })
const cts = out.map(o=>o.result)
for (let i=0;i<300;i++) { if (mode==='e') await c.encryptBatch(cmm, recs, { suiteId: 0x0478, encryptionContext: {a:'b'} }); else await c.decryptBatch(cmm, cts) }
})()
