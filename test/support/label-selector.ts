/**
 * Kubernetes label selectors as the API server parses them (`k8s.io/apimachinery/pkg/labels`): comma-joined
 * requirements `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, `k>1`, `k<1`.
 */

/** A parsed requirement; `!=` and `notin` also match objects without the key, as in Kubernetes. */
export type Requirement =
  | { readonly key: string; readonly op: 'exists' | 'notexists' }
  | { readonly key: string; readonly op: 'in' | 'notin'; readonly values: readonly string[] }
  | { readonly key: string; readonly op: 'gt' | 'lt'; readonly value: number };

/** A parsed selector: every requirement must hold (an empty selector matches everything). */
export type LabelSelector = readonly Requirement[];

/** Reports a selector the real server would answer with 400 BadRequest. */
export class LabelSelectorError extends Error {
  override readonly name = 'LabelSelectorError';
}

const KEY = '(?:[A-Za-z0-9](?:[-A-Za-z0-9_./]*[A-Za-z0-9])?)';
const VALUE = '(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?';
const EXISTS = new RegExp(`^(${KEY})$`);
const NOT_EXISTS = new RegExp(`^!\\s*(${KEY})$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\((.*)\\)$`);
const COMPARE = new RegExp(`^(${KEY})\\s*(==|!=|=|>|<)\\s*(${VALUE})$`);
const VALUE_ONLY = new RegExp(`^${VALUE}$`);

/** Splits on commas that are not inside a `( … )` value set. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '(') depth += 1;
    else if (ch === ')') depth -= 1;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function parseValues(raw: string, whole: string): string[] {
  const values = raw.split(',').map((v) => v.trim());
  if (raw.trim() === '' || values.some((v) => !VALUE_ONLY.test(v))) {
    throw new LabelSelectorError(`unable to parse requirement: invalid value set in "${whole}"`);
  }
  return values;
}

function parseRequirement(part: string): Requirement {
  const text = part.trim();
  let m = NOT_EXISTS.exec(text);
  if (m?.[1] !== undefined) return { key: m[1], op: 'notexists' };
  m = EXISTS.exec(text);
  if (m?.[1] !== undefined) return { key: m[1], op: 'exists' };
  m = SET.exec(text);
  if (m?.[1] !== undefined && m[3] !== undefined) {
    return { key: m[1], op: m[2] === 'in' ? 'in' : 'notin', values: parseValues(m[3], text) };
  }
  m = COMPARE.exec(text);
  if (m?.[1] !== undefined && m[2] !== undefined && m[3] !== undefined) {
    const [, key, op, value] = m;
    if (op === '>' || op === '<') {
      if (!/^-?\d+$/.test(value))
        throw new LabelSelectorError(`unable to parse requirement: "${value}" is not an integer`);
      return { key, op: op === '>' ? 'gt' : 'lt', value: Number(value) };
    }
    return { key, op: op === '!=' ? 'notin' : 'in', values: [value] };
  }
  throw new LabelSelectorError(`unable to parse requirement: "${text}"`);
}

/** Parses a `labelSelector` query value, throwing {@link LabelSelectorError} on input the real server rejects. */
export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (text === null || text === undefined || text.trim() === '') return [];
  return splitTopLevel(text).map(parseRequirement);
}

function matchesRequirement(req: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  switch (req.op) {
    case 'exists':
      return has;
    case 'notexists':
      return !has;
    case 'in':
      return value !== undefined && req.values.includes(value);
    case 'notin':
      return value === undefined || !req.values.includes(value);
    case 'gt':
    case 'lt': {
      if (value === undefined || !/^-?\d+$/.test(value)) return false;
      return req.op === 'gt' ? Number(value) > req.value : Number(value) < req.value;
    }
  }
}

/** Tells whether a label map satisfies every requirement of the selector. */
export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  return selector.every((req) => matchesRequirement(req, labels ?? {}));
}
