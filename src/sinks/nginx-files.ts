import { map, type Observable } from 'rxjs';
import { NginxApplyError } from './nginx-apply-error.js';
import { nginxLine } from './nginx-line.js';
import { checkArgs, type NginxPaths } from './nginx-paths.js';
import type { NginxSystem } from './nginx-system.js';

/**
 * The config files of one nginx: a candidate is written next to the live file and tested with `nginx -t` (same
 * prefix and globals as the master), and only then renamed over it; a rename in one directory is atomic.
 */
export class NginxFiles {
  constructor(
    private readonly system: NginxSystem,
    readonly paths: NginxPaths,
    private readonly bin: string,
    private readonly checkTimeoutMs: number,
  ) {}

  /** Writes the candidate and tests it; errors with stage `write`, or `check` carrying nginx's message. */
  prepare(text: string): Observable<void> {
    this.write(this.paths.candidate, text);
    const file = this.paths.candidate;
    return this.system.run(this.bin, checkArgs(this.paths, file), this.checkTimeoutMs).pipe(
      map((result) => {
        if (result.code === 0) return;
        const lines = result.output.split('\n').filter((line) => line !== '' && !line.endsWith('test failed'));
        const detail = [
          ...lines.map((line) => nginxLine(line).message),
          ...(result.error === null ? [] : [result.error]),
        ].join('; ');
        throw new NginxApplyError(
          'check',
          result.code === null ? `nginx -t could not run on ${file}` : `nginx -t rejected ${file}`,
          { detail },
        );
      }),
    );
  }

  /** Renames the tested candidate over the live file. */
  promote(): void {
    try {
      this.system.rename(this.paths.candidate, this.paths.live);
    } catch (error) {
      throw new NginxApplyError('write', `cannot rename ${this.paths.candidate} to ${this.paths.live}`, {
        detail: (error as Error).message,
        cause: error,
      });
    }
  }

  /** Puts text in the live file (through the candidate, so atomically) without testing it: it was applied before. */
  restore(text: string): void {
    this.write(this.paths.candidate, text);
    this.promote();
  }

  private write(path: string, text: string): void {
    try {
      this.system.writeFile(path, text);
    } catch (error) {
      throw new NginxApplyError('write', `cannot write ${path}`, { detail: (error as Error).message, cause: error });
    }
  }
}
