// The controller's side of the members channel: the snapshot written atomically (0600) to <prefix>/run/members,
// which nginx loads at every (re)start and reload, and pushed over <prefix>/run/members.sock, a unix socket nginx
// serves (lua/k8s_pods_ingress/store.lua). The run/ directory is 0700: nginx makes the socket 0666, so the
// directory is what keeps other users out.
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Observable, tap } from 'rxjs';
import { membersBody } from '../model/members-text.js';
import { writeAtomically } from './atomic-write.js';
import type { Membership } from '../model/membership.js';

/** Why a push did not land: nginx refused the body (400, 413), had no room for it (507), or could not be reached. */
export type PushProblem = 'refused' | 'no-memory' | 'unreachable';

/** A push that did not land; nginx kept the previous membership. */
export class MembersPushError extends Error {
  override readonly name = 'MembersPushError';

  constructor(
    readonly problem: PushProblem,
    message: string,
    /** HTTP status nginx answered, or null when there was no answer. */
    readonly status: number | null,
  ) {
    super(message);
  }
}

/** A snapshot nginx now serves. */
export interface Pushed {
  readonly version: number;
  readonly durationMs: number;
}

/** Where the channel's files are. */
export interface MembersPaths {
  readonly dir: string;
  readonly file: string;
  readonly socket: string;
}

/** Returns the run/ directory, the snapshot file and the socket of a prefix (nginx's -p, the dir of NGINX_CONF). */
export function membersPaths(prefix: string): MembersPaths {
  const dir = join(prefix, 'run');
  return { dir, file: join(dir, 'members'), socket: join(dir, 'members.sock') };
}

/** Creates run/ (0700, the controller's own) and returns its paths; throws when it cannot. */
export function prepareMembersDir(prefix: string): MembersPaths {
  const paths = membersPaths(prefix);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is masked by the umask, and an existing directory keeps its mode: set it either way.
  chmodSync(paths.dir, 0o700);
  const stat = statSync(paths.dir);
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
    throw new Error(
      `${paths.dir} belongs to uid ${stat.uid}, not to this process; other users could reach the members socket`,
    );
  }
  return paths;
}

/** The members channel of one nginx: versioned snapshots, written to the file and pushed to the socket. */
export class MembersChannel {
  private version = 0;
  private confirmed = 0;
  private written: { readonly membership: Membership; readonly version: number; readonly body: string } | null = null;

  constructor(
    readonly paths: MembersPaths,
    private readonly timeoutMs = 5_000,
  ) {}

  /** The membership last written (what a (re)started nginx loads), or null before the first. */
  get current(): Membership | null {
    return this.written?.membership ?? null;
  }

  /** Tells whether nginx confirmed the snapshot last written. */
  get inSync(): boolean {
    return this.written !== null && this.confirmed >= this.written.version;
  }

  /** Writes `membership` as the next version to the snapshot file, atomically; returns the version. */
  write(membership: Membership): number {
    const version = ++this.version;
    const body = membersBody(membership, version);
    // Not flushed to disk: the file has to outlive nginx, not the machine (after a reboot the controller lists anew).
    writeAtomically(this.paths.file, body, 0o600, { durable: false });
    this.written = { membership, version, body };
    return version;
  }

  /** Pushes the snapshot last written (again: after a restart, or after a failed push). */
  pushCurrent(): Observable<Pushed> {
    const written = this.written;
    if (written === null) return new Observable((subscriber) => subscriber.complete());
    return this.push(written.body, written.version).pipe(
      tap((pushed) => (this.confirmed = Math.max(this.confirmed, pushed.version))),
    );
  }

  /** Posts a body to nginx; emits once nginx answered with the version it now serves, or errors with MembersPushError. */
  push(body: string, version: number): Observable<Pushed> {
    return new Observable<Pushed>((subscriber) => {
      const started = performance.now();
      const req = request({
        socketPath: this.paths.socket,
        path: '/members',
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) },
        timeout: this.timeoutMs,
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (error) =>
        subscriber.error(
          new MembersPushError('unreachable', `cannot push members to ${this.paths.socket}: ${error.message}`, null),
        ),
      );
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk.length + text.length > 65_536 ? '' : chunk));
        res.on('error', (error) =>
          subscriber.error(
            new MembersPushError('unreachable', `members push to ${this.paths.socket} broke: ${error.message}`, null),
          ),
        );
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const answered = /^\{"version":(\d+)\}\s*$/.exec(text);
          if (status === 200 && answered !== null && Number(answered[1]) === version) {
            subscriber.next({ version, durationMs: performance.now() - started });
            subscriber.complete();
            return;
          }
          const reason = /"error":"([^"]*)"/.exec(text)?.[1] ?? text.trim().slice(0, 200);
          const problem: PushProblem =
            status === 507 ? 'no-memory' : status === 400 || status === 413 ? 'refused' : 'unreachable';
          subscriber.error(
            new MembersPushError(problem, `nginx answered the members push with ${status}: ${reason}`, status),
          );
        });
      });
      req.end(body);
      return () => req.destroy();
    });
  }
}
