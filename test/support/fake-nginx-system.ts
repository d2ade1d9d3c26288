// A stand-in for the machine under the nginx sink: files in a map, `nginx -t` answered by a function, and spawned
// masters that say and do what the test tells them. Everything is synchronous; time is the test's scheduler.
import { of, type Observable } from 'rxjs';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import type {
  CommandResult,
  ExitStatus,
  NginxSystem,
  ProcessHandle,
  ProcessListener,
} from '../../src/sinks/nginx-system.js';

/** A fake master: records the signals it got and speaks nginx's log format on request. */
export class FakeMaster implements ProcessHandle {
  readonly signals: string[] = [];
  readonly groupSignals: (string | 0)[] = [];
  /** Whether processes remain in its group (workers, or orphans after the master died). */
  groupAlive = true;
  private ended = false;

  constructor(
    readonly pid: number,
    readonly args: readonly string[],
    private readonly listener: ProcessListener,
  ) {}

  signal(signal: NodeJS.Signals): void {
    if (!this.ended) this.signals.push(signal);
  }

  signalGroup(signal: NodeJS.Signals | 0): boolean {
    this.groupSignals.push(signal);
    return this.groupAlive;
  }

  /** Writes a line as this master would (`[notice] PID#PID: text`). */
  say(text: string, level = 'notice', pid = this.pid): void {
    this.listener.line(`2026/01/01 00:00:00 [${level}] ${pid}#${pid}: ${text}`);
  }

  /** Says what a master says when its workers are up. */
  started(): void {
    this.say('start worker processes');
    this.say(`start worker process ${this.pid + 1}`);
  }

  /** Says what a master says after a good reload. */
  reloaded(): void {
    this.say('signal 1 (SIGHUP) received from 1, reconfiguring');
    this.say('reconfiguring');
    this.started();
  }

  exit(status: ExitStatus): void {
    this.ended = true;
    this.listener.exit(status);
  }
}

/** The fake machine. */
export class FakeSystem implements NginxSystem {
  readonly files = new Map<string, string>();
  readonly masters: FakeMaster[] = [];
  /** The texts `nginx -t` was asked about, in order. */
  readonly checked: string[] = [];
  /** The verdict of `nginx -t` on a text; accepts everything unless replaced. */
  verdict: (text: string) => CommandResult = () => ({ code: 0, output: '', error: null });
  failWrites = false;
  private nextPid = 1000;

  /** The newest master. */
  get master(): FakeMaster {
    const master = this.masters.at(-1);
    if (master === undefined) throw new Error('no master was spawned');
    return master;
  }

  spawn(_bin: string, args: readonly string[], listener: ProcessListener): ProcessHandle {
    const master = new FakeMaster(this.nextPid, args, listener);
    this.nextPid += 10;
    this.masters.push(master);
    return master;
  }

  run(_bin: string, args: readonly string[]): Observable<CommandResult> {
    const text = this.files.get(args[args.indexOf('-c') + 1] ?? '') ?? '';
    this.checked.push(text);
    return of(this.verdict(text));
  }

  writeFile(path: string, text: string): void {
    if (this.failWrites) throw new Error(`EACCES: permission denied, open '${path}'`);
    this.files.set(path, text);
  }

  rename(from: string, to: string): void {
    const text = this.files.get(from);
    if (text === undefined) throw new Error(`ENOENT: no such file, rename '${from}'`);
    this.files.set(to, text);
    this.files.delete(from);
  }
}

/** A virtual clock that the test moves by hand. */
export class ManualClock extends VirtualTimeScheduler {
  constructor() {
    super(VirtualAction, Infinity);
  }

  /** Runs everything due in the next `ms` virtual milliseconds and leaves the clock there. */
  advance(ms: number): void {
    const target = this.frame + ms;
    this.maxFrames = target;
    this.flush();
    this.frame = target;
  }
}
