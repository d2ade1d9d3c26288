// The key files nginx reads: `tls/<sha256 of the chain>.pem` next to nginx.conf (relative paths in the config
// resolve there), the directory 0700 and each file 0600, written atomically (temp file + rename) before the config
// that names them is tested, and removed once no config in force or waiting names them. Content-addressed: a
// rotated certificate gets a new name, so the config changes and nginx reloads; an unchanged one is never rewritten.
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OperatorFunction } from 'rxjs';
import { map } from 'rxjs';
import type { Logger } from '../logger.js';
import { writeAtomically } from './atomic-write.js';
import type { RenderedConfig } from '../model/rendered-config.js';

const KEY_FILE = /^[0-9a-f]{64}\.pem$/;

/** The key files of one nginx.conf: writes the ones a config names, prunes the ones no config needs. */
export class TlsFiles {
  /** The directory of the key files: `tls/` next to nginx.conf. */
  readonly dir: string;
  private latest: RenderedConfig | null = null;

  /** Creates the store for the nginx.conf at `confPath`. */
  constructor(
    confPath: string,
    private readonly logger: Logger,
  ) {
    this.dir = join(dirname(confPath), 'tls');
  }

  /** Writes every key file `config` names that is not on disk yet; logs (never with key bytes) what it cannot write. */
  write(config: RenderedConfig): void {
    this.latest = config;
    const files = config.tlsFiles;
    if (files === undefined || files.size === 0) return;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      chmodSync(this.dir, 0o700);
    } catch (error) {
      this.logger.error('cannot create the key file directory; the config naming its files will fail nginx -t', {
        dir: this.dir,
        error: (error as Error).message,
      });
      return;
    }
    for (const [name, material] of files) {
      const path = join(dirname(this.dir), name);
      if (exists(path)) continue;
      if (material === null) {
        this.logger.error('key file missing and no key material to write it (a redacted Secret)', { file: path });
        continue;
      }
      try {
        // `.tmp-` names are what prune() sweeps if a write was cut short.
        writeAtomically(path, material.pem(), 0o600, {
          temp: join(dirname(path), `.tmp-${process.pid}-${Date.now()}`),
        });
        this.logger.info('key file written', { file: path });
      } catch (error) {
        this.logger.error('cannot write a key file; the config naming it will fail nginx -t', {
          file: path,
          error: (error as Error).message,
        });
      }
    }
  }

  /** Removes key files named neither by `applied` (in force now) nor by the latest config written (maybe waiting). */
  prune(applied: RenderedConfig): void {
    const keep = new Set<string>();
    for (const config of [applied, this.latest])
      for (const name of config?.tlsFiles?.keys() ?? []) keep.add(name.slice('tls/'.length));
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const stale = KEY_FILE.test(name) ? !keep.has(name) : name.startsWith('.tmp-');
      if (!stale) continue;
      try {
        rmSync(join(this.dir, name), { force: true });
        this.logger.info('key file removed: no config names it', { file: join(this.dir, name) });
      } catch (error) {
        this.logger.warn('cannot remove an unused key file', {
          file: join(this.dir, name),
          error: (error as Error).message,
        });
      }
    }
  }
}

/** Writes each config's key files before it goes on (to the nginx or file sink). */
export function writeTlsFiles(files: TlsFiles): OperatorFunction<RenderedConfig, RenderedConfig> {
  return map((config) => {
    files.write(config);
    return config;
  });
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
