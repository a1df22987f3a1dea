// Multi-keyring: the generator makes the key and every child must wrap it; decrypt takes the first success and reports every failure.
import test from 'ava'
import { InvalidArgumentError, KeyringError } from '../../lib/core/errors'
import { AlgorithmSuite, findSuite } from '../../lib/core/suites'
import { MultiKeyringNode } from '../../lib/materials/multi-keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { ThrowingKeyring, TransparentKeyring } from './test-keyrings'

function suite(): AlgorithmSuite {
  const s = findSuite(0x0478)
  if (!s) throw new Error('suite')
  return s
}

test('constructor: needs a generator or a child, and only keyrings', (t) => {
  t.throws(() => new MultiKeyringNode({}), { instanceOf: InvalidArgumentError })
  t.throws(() => new MultiKeyringNode({ children: [] }), { instanceOf: InvalidArgumentError })
  t.throws(() => new MultiKeyringNode({ children: [{} as TransparentKeyring] }), { instanceOf: InvalidArgumentError })
  t.throws(() => new MultiKeyringNode({ generator: 'k' as unknown as TransparentKeyring }), {
    instanceOf: InvalidArgumentError,
  })
})

test('encrypt: the generator makes the data key and every child wraps that same key', async (t) => {
  const generator = new TransparentKeyring('gen', 0x11)
  const children = [new TransparentKeyring('c1', 0x22), new TransparentKeyring('c2', 0x33)]
  const m = new NodeEncryptionMaterial(suite(), {})
  await new MultiKeyringNode({ generator, children }).onEncrypt(m)
  t.deepEqual(m.getUnencryptedDataKey(), Buffer.alloc(32, 0x11))
  t.deepEqual(
    m.encryptedDataKeys.map((e) => e.providerInfo),
    ['gen', 'c1', 'c2'],
  )
  for (const edk of m.encryptedDataKeys) t.deepEqual(Buffer.from(edk.encryptedDataKey), Buffer.alloc(32, 0x11))
})

test('encrypt: any child failing fails the whole encrypt', async (t) => {
  const boom = new Error('child down')
  const m = new NodeEncryptionMaterial(suite(), {})
  const multi = new MultiKeyringNode({
    generator: new TransparentKeyring('gen'),
    children: [new TransparentKeyring('ok'), new ThrowingKeyring(boom)],
  })
  const err = await t.throwsAsync(multi.onEncrypt(m))
  t.is(err, boom)
})

test('encrypt: a generator failure fails the encrypt before any child runs', async (t) => {
  const child = new TransparentKeyring('c')
  const multi = new MultiKeyringNode({ generator: new ThrowingKeyring(new Error('gen down')), children: [child] })
  await t.throwsAsync(multi.onEncrypt(new NodeEncryptionMaterial(suite(), {})))
  t.is(child.encryptCalls, 0)
})

test('encrypt: without a generator the materials must already hold a data key', async (t) => {
  const multi = new MultiKeyringNode({ children: [new TransparentKeyring('c')] })
  await t.throwsAsync(multi.onEncrypt(new NodeEncryptionMaterial(suite(), {})), { instanceOf: KeyringError })
  const keyed = new NodeEncryptionMaterial(suite(), {}).setUnencryptedDataKey(Buffer.alloc(32, 4))
  await multi.onEncrypt(keyed)
  t.is(keyed.encryptedDataKeys.length, 1)
})

async function edksFrom(name: string, fill: number): Promise<NodeEncryptionMaterial> {
  const m = new NodeEncryptionMaterial(suite(), {})
  await new TransparentKeyring(name, fill).onEncrypt(m)
  return m
}

test('decrypt: a failing generator falls through to a working child', async (t) => {
  const enc = await edksFrom('child', 0x44)
  const multi = new MultiKeyringNode({
    generator: new ThrowingKeyring(new Error('gen down')),
    children: [new TransparentKeyring('child')],
  })
  const m = await multi.onDecrypt(new NodeDecryptionMaterial(suite(), {}), enc.encryptedDataKeys)
  t.deepEqual(m.getUnencryptedDataKey(), Buffer.alloc(32, 0x44))
})

test('decrypt: the first keyring that succeeds wins and later ones are not called', async (t) => {
  const enc = await edksFrom('first', 0x55)
  const later = new ThrowingKeyring(new Error('must not run'))
  const multi = new MultiKeyringNode({ generator: new TransparentKeyring('first'), children: [later] })
  const m = await multi.onDecrypt(new NodeDecryptionMaterial(suite(), {}), enc.encryptedDataKeys)
  t.true(m.hasUnencryptedDataKey)
  t.is(later.calls, 0)
})

test('decrypt: when every keyring fails, the KeyringError carries every cause', async (t) => {
  const enc = await edksFrom('nobody', 0x66)
  const e1 = new Error('first failure')
  const e2 = new Error('second failure')
  const e3 = new Error('third failure')
  const multi = new MultiKeyringNode({
    generator: new ThrowingKeyring(e1),
    children: [new ThrowingKeyring(e2), new TransparentKeyring('not-matching'), new ThrowingKeyring(e3)],
  })
  const err = await t.throwsAsync(multi.onDecrypt(new NodeDecryptionMaterial(suite(), {}), enc.encryptedDataKeys), {
    instanceOf: KeyringError,
  })
  t.is(err?.code, 'KEYRING')
  t.deepEqual([...(err?.causes ?? [])], [e1, e2, e3])
})

test('decrypt: no match and no failure leaves the materials without a key', async (t) => {
  const enc = await edksFrom('someone', 0x77)
  const multi = new MultiKeyringNode({
    generator: new TransparentKeyring('a'),
    children: [new TransparentKeyring('b')],
  })
  const m = await multi.onDecrypt(new NodeDecryptionMaterial(suite(), {}), enc.encryptedDataKeys)
  t.false(m.hasUnencryptedDataKey)
})
