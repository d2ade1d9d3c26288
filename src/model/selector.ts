/** One requirement of a label selector, as `kubectl` and the API server read them. */
export type Requirement =
  | { readonly key: string; readonly op: 'exists' | 'absent' }
  | { readonly key: string; readonly op: 'in' | 'notin'; readonly values: readonly string[] };

/** A parsed label selector: all requirements must hold. */
export type LabelSelector = readonly Requirement[];

const KEY = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * Parses a label selector (`a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x)`, comma-separated),
 * or returns why it is not one.
 */
export function parseSelector(text: string): LabelSelector | string {
  const parts = splitTopLevel(text.trim());
  if (parts === null) return `unbalanced parentheses in "${text}"`;
  const requirements: Requirement[] = [];
  for (const part of parts) {
    const requirement = parseRequirement(part.trim());
    if (typeof requirement === 'string') return requirement;
    requirements.push(requirement);
  }
  return requirements;
}

function parseRequirement(part: string): Requirement | string {
  let match: RegExpMatchArray | null;
  if ((match = /^!\s*(\S+)$/.exec(part))) return checked({ key: match[1]!, op: 'absent' });
  if ((match = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(part))) {
    return checked({ key: match[1]!, op: match[2] === '!=' ? 'notin' : 'in', values: [match[3]!] });
  }
  if ((match = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part))) {
    const values = match[3]!.split(',').map((v) => v.trim());
    return checked({ key: match[1]!, op: match[2] as 'in' | 'notin', values });
  }
  if (/^\S+$/.test(part)) return checked({ key: part, op: 'exists' });
  return `cannot read "${part}" as a label requirement`;
}

function checked(requirement: Requirement): Requirement | string {
  if (!KEY.test(requirement.key)) return `"${requirement.key}" is not a valid label key`;
  if ('values' in requirement) {
    const bad = requirement.values.find((v) => !VALUE.test(v));
    if (bad !== undefined) return `"${bad}" is not a valid label value`;
  }
  return requirement;
}

function splitTopLevel(text: string): string[] | null {
  if (text === '') return [];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    if (text[i] === ')') depth--;
    if (depth < 0) return null;
    if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return null;
  parts.push(text.slice(start));
  return parts;
}

/** Tells whether a set of labels satisfies every requirement of the selector. */
export function matchesSelector(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return matchesLabelObject(selector, labels);
}

/**
 * Tells whether a Pod's raw `metadata.labels` (anything JSON.parse gave: only string values count as labels)
 * satisfies the selector. Reads the object in place: no copy of the labels per event.
 */
export function matchesLabelObject(selector: LabelSelector, labels: unknown): boolean {
  const record = typeof labels === 'object' && labels !== null && !Array.isArray(labels) ? (labels as Record<string, unknown>) : null;
  for (let i = 0; i < selector.length; i++) {
    const requirement = selector[i]!;
    const raw = record !== null && Object.prototype.hasOwnProperty.call(record, requirement.key) ? record[requirement.key] : undefined;
    const value = typeof raw === 'string' ? raw : undefined;
    if (!holds(requirement, value)) return false;
  }
  return true;
}

function holds(requirement: Requirement, value: string | undefined): boolean {
  switch (requirement.op) {
    case 'exists':
      return value !== undefined;
    case 'absent':
      return value === undefined;
    case 'in':
      return value !== undefined && requirement.values.includes(value);
    case 'notin':
      return value === undefined || !requirement.values.includes(value);
  }
}
