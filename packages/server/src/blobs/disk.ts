import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore, Staging, StagingWrite } from '../domain/ports.ts';

const KEY = /^[0-9a-f]{64}$/;
const STAGING_ID = /^[0-9A-Za-z-]{1,64}$/;

/**
 * Blobs on the local disk: `<dir>/ab/cd/<sha256>`. Writes go to a temporary name and are renamed
 * into place, so a reader never sees half a file; storing the same bytes twice keeps one copy.
 */
export function diskBlobStore(dir: string): BlobStore {
  const tmp = path.join(dir, 'tmp');
  const fileOf = (key: string) => {
    if (!KEY.test(key)) throw new Error(`not a blob key: ${key}`);
    return path.join(dir, key.slice(0, 2), key.slice(2, 4), key);
  };
  return {
    async put(key, source) {
      const target = fileOf(key);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.mkdir(tmp, { recursive: true });
      const temporary = path.join(tmp, randomUUID());
      try {
        if ('data' in source) await fs.writeFile(temporary, source.data, { flush: true });
        else await fs.copyFile(source.path, temporary, fs.constants.COPYFILE_FICLONE);
        await fs.rename(temporary, target);
      } finally {
        await fs.rm(temporary, { force: true });
      }
    },
    async has(key) {
      return fs.access(fileOf(key)).then(
        () => true,
        () => false,
      );
    },
    async read(key) {
      const file = fileOf(key);
      const stat = await fs.stat(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      if (stat === null) return null;
      // Blobs are never rewritten in place (only renamed in or removed), so size and bytes agree.
      return { stream: createReadStream(file), size: stat.size };
    },
    async remove(key) {
      await fs.rm(fileOf(key), { force: true });
    },
  };
}

/** Uploads being received, one file per upload under `dir`. */
export function diskStaging(dir: string): Staging {
  const fileOf = (id: string) => {
    if (!STAGING_ID.test(id)) throw new Error(`not a staging id: ${id}`);
    return path.join(dir, id);
  };
  return {
    path: fileOf,

    async write(id, offset, body, maxBytes, fresh = false): Promise<StagingWrite> {
      await fs.mkdir(dir, { recursive: true });
      // 'w' creates the file afresh; 'r+' writes into it at the offset and never shortens it.
      const handle = await fs.open(fileOf(id), fresh ? 'w' : 'r+');
      let written = 0;
      let error: Error | null = null;
      let overflow = false;
      try {
        for await (const chunk of body) {
          const room = maxBytes - written;
          if (chunk.length > room) {
            if (room > 0) await handle.write(chunk, 0, room, offset + written);
            written += Math.max(room, 0);
            overflow = true;
            break;
          }
          await handle.write(chunk, 0, chunk.length, offset + written);
          written += chunk.length;
        }
      } catch (caught) {
        error = caught instanceof Error ? caught : new Error(String(caught));
      } finally {
        // What is acknowledged as received must survive a crash: flushed before the offset moves.
        await handle.datasync();
        await handle.close();
      }
      return { written, error, overflow };
    },

    async hash(id) {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of createReadStream(fileOf(id))) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      return { key: hash.digest('hex'), size };
    },

    async remove(id) {
      await fs.rm(fileOf(id), { force: true });
    },

    async stale(cutoff) {
      const names = await fs.readdir(dir).catch(() => [] as string[]);
      const old: string[] = [];
      for (const name of names) {
        if (!STAGING_ID.test(name)) continue;
        const stat = await fs.stat(path.join(dir, name)).catch(() => null);
        if (stat !== null && stat.mtimeMs < cutoff) old.push(name);
      }
      return old;
    },
  };
}
