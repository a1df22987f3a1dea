// Checkpoint stores: the last processed sequence number per shard (or SHARD_END), in a local JSON file.
import { promises as fs } from 'node:fs'
import path from 'node:path'

/** A shard read to its end and fully processed: its children may start. */
export const SHARD_END = 'SHARD_END'

export interface CheckpointStore {
  /** The checkpoint of a shard: a sequence number, SHARD_END, or undefined when never checkpointed. */
  get(streamName: string, shardId: string): Promise<string | undefined>
  put(streamName: string, shardId: string, checkpoint: string): Promise<void>
}

/**
 * One JSON file, replaced whole on every write (written beside it, then renamed: a crash leaves
 * the old or the new file, never half of one). For one process; runners that split the shards
 * between them share a DynamoDB table instead.
 */
export class FileCheckpointStore implements CheckpointStore {
  private cache: Record<string, string> | undefined
  private writing: Promise<void> = Promise.resolve()

  constructor(readonly file: string) {}

  private async load(): Promise<Record<string, string>> {
    if (this.cache !== undefined) return this.cache
    let parsed: unknown = {}
    try {
      parsed = JSON.parse(await fs.readFile(this.file, 'utf8'))
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
    const ok =
      typeof parsed === 'object' && parsed !== null && Object.values(parsed).every((v) => typeof v === 'string')
    if (!ok) throw new Error(`${this.file} is not a checkpoint file`)
    this.cache = { ...(parsed as Record<string, string>) }
    return this.cache
  }

  async get(streamName: string, shardId: string): Promise<string | undefined> {
    return (await this.load())[`${streamName}/${shardId}`]
  }

  async put(streamName: string, shardId: string, checkpoint: string): Promise<void> {
    const all = await this.load()
    all[`${streamName}/${shardId}`] = checkpoint
    const text = JSON.stringify(all, null, 1)
    const next = this.writing.then(async () => {
      const tmp = `${this.file}.${process.pid}.tmp`
      await fs.mkdir(path.dirname(this.file), { recursive: true })
      const handle = await fs.open(tmp, 'w')
      try {
        await handle.writeFile(text)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await fs.rename(tmp, this.file)
    })
    this.writing = next.catch(() => undefined)
    return next
  }
}
