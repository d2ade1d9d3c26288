/**
 * The structural contract of a rendered nginx.conf: every directive, block shape and comment must be one the
 * shipped template produces, and every value in a templated position must pass its allow-list. The literal parts are
 * learned from reference configs rendered from known-good pods; only the templated positions are listed here.
 */
import {
  isIPv4,
  isIPv6,
  isValidHost,
  isValidLocation,
  isValidNamespace,
  isValidObjectName,
  isValidPort,
} from '../../src/model/validate.js';
import { parseConfig, walkConfig, type Directive } from './nginx-config.js';

/** What the reference configs allow: directive signatures, block shapes and literal comments. */
export interface ConfigContract {
  readonly signatures: ReadonlySet<string>;
  readonly shapes: ReadonlySet<string>;
  readonly comments: ReadonlySet<string>;
}

const UPSTREAM_NAME = /^microservice[0-9]+(?:-[0-9]+)?$/;
const POD_COMMENT = /^# Pod ([^ ]+) \(([^ ]+)\)( is not ready)?$/;

function isAddress(value: string): boolean {
  const colon = value.lastIndexOf(':');
  if (colon === -1 || !isValidPort(value.slice(colon + 1))) return false;
  const host = value.slice(0, colon);
  return host.startsWith('[') && host.endsWith(']') ? isIPv6(host.slice(1, -1)) : isIPv4(host);
}

function isLocationArg(value: string): boolean {
  if (value === '/') return true;
  return isValidLocation(value.endsWith('/') ? value.slice(0, -1) : value);
}

/** Templated argument positions: directive (in context) -> a class and its check, per argument index. */
const TEMPLATED: Record<string, (args: readonly string[]) => string[] | null> = {
  server_names_hash_max_size: (a) => (a.length === 1 && /^[1-9][0-9]*$/.test(a[0]!) ? ['<NUMBER>'] : null),
  server_names_hash_bucket_size: (a) => (a.length === 1 && /^[1-9][0-9]*$/.test(a[0]!) ? ['<NUMBER>'] : null),
  listen: (a) =>
    a.length >= 1 && isValidPort(a[0]!)
      ? ['<PORT>', ...a.slice(1)]
      : a.length >= 1 && isAddress(a[0]!)
        ? ['<ADDRESS>', ...a.slice(1)]
        : null,
  server_name: (a) => (a.length === 1 && isValidHost(a[0]!) ? ['<HOST>'] : null),
  location: (a) => {
    const path = a[a.length - 1];
    return path !== undefined && isLocationArg(path) ? [...a.slice(0, -1), '<LOCATION>'] : null;
  },
  upstream: (a) => (a.length === 1 && UPSTREAM_NAME.test(a[0]!) ? ['<UPSTREAM>'] : null),
  proxy_pass: (a) => {
    const target = a[0]?.startsWith('http://') === true ? a[0].slice('http://'.length) : '';
    if (a.length !== 1) return null;
    return isAddress(target) ? ['http://<ADDRESS>'] : UPSTREAM_NAME.test(target) ? ['http://<UPSTREAM>'] : null;
  },
};

function signature(directive: Directive, context: string, problems: string[]): string {
  // `server` inside `upstream` is a backend line; `server` in http is a block and has no arguments.
  const classify =
    context.endsWith('>upstream') && directive.name === 'server'
      ? (a: readonly string[]) => (a.length === 1 && isAddress(a[0]!) ? ['<ADDRESS>'] : null)
      : TEMPLATED[directive.name];
  let args = directive.args.map((arg, i) => (directive.quoted[i] === true ? JSON.stringify(arg) : arg));
  if (classify !== undefined && directive.quoted.every((q) => !q)) {
    const classes = classify(directive.args);
    if (classes === null)
      problems.push(
        `${context}: ${directive.name} has a value that fails its allow-list: ${JSON.stringify(directive.args)}`,
      );
    else args = classes;
  }
  return `${context}|${directive.name}|${args.join(' ')}|${directive.block === null ? ';' : '{'}`;
}

function shape(directive: Directive, context: string): string {
  const names: string[] = [];
  for (const child of directive.block ?? [])
    if (names[names.length - 1] !== `${child.name}+`) names.push(`${child.name}+`);
  return `${context}>${directive.name}: ${names.join(' ')}`;
}

function checkComment(
  comment: string,
  contract: ConfigContract | null,
  problems: string[],
  literal: Set<string>,
): void {
  const match = POD_COMMENT.exec(comment);
  if (match !== null) {
    if (!isValidObjectName(match[1]!) || !isValidNamespace(match[2]!))
      problems.push(`bad pod comment ${JSON.stringify(comment)}`);
    return;
  }
  if (contract === null) literal.add(comment);
  else if (!contract.comments.has(comment)) problems.push(`unexpected comment ${JSON.stringify(comment)}`);
}

interface Survey {
  readonly signatures: Set<string>;
  readonly shapes: Set<string>;
  readonly comments: Set<string>;
  readonly problems: string[];
}

function survey(text: string, contract: ConfigContract | null): Survey {
  const result: Survey = { signatures: new Set(), shapes: new Set(), comments: new Set(), problems: [] };
  let root: Directive;
  try {
    root = parseConfig(text);
  } catch (error) {
    result.problems.push(String(error));
    return result;
  }
  const blocks: Array<[Directive, string]> = [[root, '']];
  walkConfig(root, (directive, context) => {
    result.signatures.add(signature(directive, context, result.problems));
    if (directive.block !== null) blocks.push([directive, context]);
  });
  for (const [block, context] of blocks) {
    result.shapes.add(shape(block, context));
    for (const comment of block.comments) checkComment(comment, contract, result.problems, result.comments);
  }
  return result;
}

/** Learns the template's contract from reference configs rendered from known-good pods. */
export function learnContract(references: readonly string[]): ConfigContract {
  const signatures = new Set<string>();
  const shapes = new Set<string>();
  const comments = new Set<string>();
  for (const text of references) {
    const found = survey(text, null);
    if (found.problems.length > 0) throw new Error(`reference config is not clean: ${found.problems.join('; ')}`);
    found.signatures.forEach((s) => signatures.add(s));
    found.shapes.forEach((s) => shapes.add(s));
    found.comments.forEach((c) => comments.add(c));
  }
  return { signatures, shapes, comments };
}

/** Returns every way `text` departs from the contract (empty when it has only template-made structure). */
export function checkShape(text: string, contract: ConfigContract): string[] {
  const found = survey(text, contract);
  for (const s of found.signatures)
    if (!contract.signatures.has(s)) found.problems.push(`directive not made by the template: ${s}`);
  for (const s of found.shapes)
    if (!contract.shapes.has(s)) found.problems.push(`block shape not made by the template: ${s}`);
  return found.problems;
}
