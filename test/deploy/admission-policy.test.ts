// deploy/admission-policy.yaml, evaluated with an RE2-based CEL evaluator against the same values as the model: every
// case of the model's validation tables, the injection corpus and a fuzz sample. The policy must never admit what the
// controller refuses, and must admit every valid value except the documented stricter cases (README "Admission policy").
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse } from 'yaml';
import type { IReplicationController } from 'kubernetes-models/v1';
import { readPod, type Limits } from '../../src/model/pod-record.js';
import { projectPod } from '../../src/model/pod.js';
import { checkPath } from '../../src/model/validate.js';
import { parseInvocation } from '../../src/settings.js';
import { loadAdmissionPolicy, podObject, workloadObject, type Verdict } from '../support/admission-policy.js';
import { hostileHosts, hostilePaths, validHost, validPathEntry } from '../support/hostile-input.js';
import { loadManifests } from '../support/manifests.js';
import { ACCEPTED_PATHS, ANNOTATION_CASES, HOST_CASES, PORT_CASES, REFUSED_PATHS } from '../support/model-cases.js';
import { MULTI_PAYLOADS, SINGLE_PAYLOADS } from '../support/payloads.js';
import { containerEnv, onlyObject, podTemplate } from '../support/pod-spec.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { policy, policyObject, binding } = loadAdmissionPolicy(`${root}deploy/admission-policy.yaml`);
const rc = podTemplate(
  onlyObject<IReplicationController>(
    loadManifests(`${root}deploy/replication-controller.yaml`),
    'ReplicationController',
  ),
);
const settings = parseInvocation(rc.container.args ?? [], containerEnv(rc.container)).settings;
const limits: Limits = {
  maxEntries: settings.maxEntries,
  maxAnnotationLength: settings.maxAnnotationLength,
  maxRoutes: settings.maxRoutes,
};
const names = { hosts: settings.hostsAnnotation, paths: settings.pathsAnnotation };
const OPT_IN = { microservice: 'true' };
const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController'];

/**
 * Escapes the policy admits: UTF-8 of these code points only (the controller admits every printable non-ASCII
 * character). The README lists the same ranges; the sweep below checks the policy admits exactly these.
 */
const ADMITTED_ESCAPES: readonly [number, number][] = [
  [0xa1, 0xac],
  [0xae, 0xff],
  [0x100, 0x24f],
  [0x391, 0x3a1],
  [0x3a3, 0x3a9],
  [0x3b1, 0x3c9],
  [0x400, 0x4ff],
  [0x20a0, 0x20bf],
  [0x3041, 0x3096],
  [0x30a1, 0x30fa],
  [0x30fc, 0x30fc],
  [0x4e00, 0x9fff],
  [0xac00, 0xd7a3],
];
const admittedEscape = (char: string): boolean =>
  ADMITTED_ESCAPES.some(([from, to]) => char.codePointAt(0)! >= from && char.codePointAt(0)! <= to);

// The cases where the policy is stricter than the controller, as the README lists them.
function stricterCase(paths: string | null): string | null {
  const tokens = (paths ?? '').split(/[ \t\r\n]+/).filter((t) => t !== '');
  const locations = tokens
    .map((t) => checkPath(t.slice(t.indexOf(':') + 1)))
    .flatMap((c) => (typeof c === 'string' ? [] : [c]));
  if (locations.some((c) => [...c.location].some((char) => char.codePointAt(0)! >= 0x80 && !admittedEscape(char))))
    return 'escape outside the admitted ranges';
  const escaped = locations.filter((c) => c.path.includes('%')).map((c) => c.path.toLowerCase());
  if (new Set(escaped).size < escaped.length) return 'paths with escapes that differ only in letter case';
  return null;
}

// Issues about the annotations; pod-level ones (name, IP) and ownership conflicts are not the policy's business.
const NOT_ANNOTATION = new Set(['invalid-pod', 'host-conflict', 'route-conflict']);
const tally = { admitted: 0, refused: 0, stricter: 0 };

/** Runs one pair of values through the model and the policy (as a pod and as a Deployment's template). */
function agree(name: string, hosts: string | null, paths: string | null, template = true): Verdict & { matched: true } {
  const object = podObject(OPT_IN, { [names.hosts]: hosts, [names.paths]: paths });
  const projected = projectPod(object, names);
  assert.equal(typeof projected, 'object', name);
  const record = readPod(projected as Exclude<typeof projected, string>, limits);
  const issues = record.issues.filter((i) => !NOT_ANNOTATION.has(i.code));
  const verdict = policy.review({ operation: 'CREATE', object });
  assert.ok(verdict.matched, `${name}: an opted-in pod is matched`);
  assert.deepEqual(verdict.errors, [], `${name}: the policy evaluates without errors`);
  if (template) {
    const inTemplate = policy.review({ operation: 'CREATE', object: workloadObject('Deployment', object) });
    assert.ok(
      inTemplate.matched && inTemplate.allowed === verdict.allowed,
      `${name}: the template gets the pod's verdict`,
    );
  }
  const shown = `${name}: hosts ${JSON.stringify(hosts)} paths ${JSON.stringify(paths)}`;
  if (verdict.allowed) {
    assert.deepEqual(
      issues.map((i) => i.message),
      [],
      `${shown}: the policy admits what the controller refuses`,
    );
    assert.ok(record.hosts.length > 0 && record.paths.length > 0, `${shown}: admitted without routes`);
    tally.admitted++;
  } else if (issues.length === 0) {
    const stricter = stricterCase(paths);
    assert.ok(stricter !== null, `${shown}: the controller accepts it, the policy refuses it: ${verdict.messages[0]}`);
    tally.stricter++;
  } else {
    tally.refused++;
  }
  assert.ok(
    verdict.messages.every((m) => /^[\x20-\x7e]+$/.test(m)),
    `${shown}: messages are printable ASCII`,
  );
  return verdict;
}

test('the policy and its binding: v1, fail closed, deny, pods and the five workload kinds, CREATE and UPDATE', () => {
  assert.equal(policyObject.apiVersion, 'admissionregistration.k8s.io/v1');
  assert.equal(binding.apiVersion, 'admissionregistration.k8s.io/v1');
  const spec = policy.spec;
  assert.equal(spec.failurePolicy, 'Fail');
  assert.deepEqual(binding['spec'], { policyName: policyObject.metadata.name, validationActions: ['Deny'] });
  const matched = spec.matchConstraints.resourceRules.flatMap((r) =>
    r.resources.flatMap((res) =>
      r.apiGroups.map((g) => `${g}/${res} ${[...r.operations].sort().join(',')} ${r.apiVersions.join(',')}`),
    ),
  );
  assert.deepEqual(
    matched.sort(),
    [
      '/pods',
      '/replicationcontrollers',
      'apps/daemonsets',
      'apps/deployments',
      'apps/replicasets',
      'apps/statefulsets',
    ].map((r) => `${r} CREATE,UPDATE v1`),
  );
  const expressions = [...spec.matchConditions, ...spec.variables, ...spec.validations].flatMap((e) => [
    e.expression,
    'messageExpression' in e ? (e.messageExpression ?? '') : '',
  ]);
  for (const expression of expressions)
    assert.doesNotMatch(
      expression,
      /[\w)\]]\.\?\w|orValue|optional\./,
      'no optional syntax: older API servers and the evaluator do not parse it',
    );
  assert.ok(
    spec.validations.every((v) => v.messageExpression !== undefined && v.message !== undefined),
    'every validation explains itself',
  );
});

test('the policy uses the controller settings deploy/ runs with: opt-in label, annotation names, limits', () => {
  const constant = (name: string): unknown => policy.variable(name, {});
  assert.equal(constant('hostsAnnotation'), settings.hostsAnnotation);
  assert.equal(constant('pathsAnnotation'), settings.pathsAnnotation);
  assert.equal(constant('maxEntries'), BigInt(settings.maxEntries));
  assert.equal(constant('maxAnnotationLength'), BigInt(settings.maxAnnotationLength));
  assert.equal(constant('maxRoutes'), BigInt(settings.maxRoutes));
  assert.equal(settings.selector.length, 1, 'the policy supports a single key=value selector');
  const [requirement] = settings.selector;
  assert.ok(
    requirement !== undefined && requirement.op === 'in' && requirement.values.length === 1,
    `selector ${settings.selector.text}`,
  );
  assert.deepEqual([constant('optInLabel'), constant('optInValue')], [requirement.key, requirement.values[0]]);
  // The matchCondition spells the label out (it cannot read variables): it must select exactly what the selector does.
  const valid = { [names.hosts]: 'shop.example.com', [names.paths]: '80:/' };
  const cases: [string, Record<string, string>, boolean][] = [
    ['the label', { [requirement.key]: requirement.values[0]! }, true],
    ['another value', { [requirement.key]: 'false' }, false],
    ['no label', {}, false],
    ['another label', { app: 'web' }, false],
  ];
  for (const [name, labels, matched] of cases) {
    assert.equal(
      policy.review({ operation: 'CREATE', object: podObject(labels, valid) }).matched,
      matched,
      `pod: ${name}`,
    );
    assert.equal(
      policy.review({ operation: 'CREATE', object: workloadObject('Deployment', podObject(labels, valid)) }).matched,
      matched,
      `template: ${name}`,
    );
  }
});

test('the model tables: the policy admits nothing the controller refuses, and every plain valid value', () => {
  for (const [name, host] of HOST_CASES) agree(`host ${name}`, host, '80:/');
  for (const [port] of PORT_CASES) agree(`port ${JSON.stringify(port)}`, 'a.example', `${port}:/x`);
  for (const [name, raw] of [...ACCEPTED_PATHS, ...REFUSED_PATHS]) agree(`path ${name}`, 'a.example', `80:${raw}`);
  for (const c of ANNOTATION_CASES) agree(c.name, c.hosts, c.paths);
  for (const [name, host, valid] of HOST_CASES)
    if (valid) assert.ok(agree(name, host, '80:/').allowed, `valid host ${name}`);
  for (const [name, raw] of ACCEPTED_PATHS)
    assert.ok(agree(name, 'a.example', `80:${raw}`).allowed, `valid path ${name}`);
});

test('the limits: entries, annotation length and routes are refused exactly where the controller refuses them', () => {
  const list = (n: number, entry: (i: number) => string): string =>
    Array.from({ length: n }, (_, i) => entry(i)).join(' ');
  const host = (i: number): string => `h${i}.example`;
  const path = (i: number): string => `80:/p${i}`;
  const cases: [string, string, string, boolean][] = [
    ['entries at the limit', list(limits.maxEntries, host), '80:/', true],
    ['hosts over the entry limit', list(limits.maxEntries + 1, host), '80:/', false],
    ['paths over the entry limit', 'a.example', list(limits.maxEntries + 1, path), false],
    ['routes at the limit', list(limits.maxRoutes / limits.maxEntries, host), list(limits.maxEntries, path), true],
    [
      'routes over the limit',
      list(limits.maxRoutes / limits.maxEntries + 1, host),
      list(limits.maxEntries, path),
      false,
    ],
    ['annotation at the length limit', `a.example${' '.repeat(limits.maxAnnotationLength - 9)}`, '80:/', true],
    ['annotation over the length limit', `a.example${' '.repeat(limits.maxAnnotationLength - 8)}`, '80:/', false],
    ['a long hostile value (every entry invalid)', 'x;'.repeat(8_000), '80:/', false],
  ];
  for (const [name, hosts, paths, allowed] of cases) assert.equal(agree(name, hosts, paths).allowed, allowed, name);
});

test('the injection corpus: every published-style payload is refused, naming the annotation', () => {
  for (const payload of [...SINGLE_PAYLOADS.map((p) => ({ ...p, value: p.entry })), ...MULTI_PAYLOADS]) {
    const hosts = payload.annotation === 'hosts' ? payload.value : 'shop.example.com';
    const paths = payload.annotation === 'paths' ? payload.value : '80:/';
    const verdict = agree(`payload ${payload.name}`, hosts, paths);
    assert.equal(verdict.allowed, false, `payload ${payload.name}`);
    assert.ok(
      verdict.messages[0]!.startsWith(`metadata.annotations.${names[payload.annotation]}: `),
      verdict.messages[0],
    );
  }
});

test('a fuzz sample: hostile and valid annotations agree with the model', () => {
  const hostile = fc.sample(fc.tuple(hostileHosts, hostilePaths), { seed: 20_261_202, numRuns: 1_500 });
  hostile.forEach(([hosts, paths], i) => agree(`hostile sample ${i}`, hosts, paths, false));
  const canonical = (entry: string): string => {
    const checked = checkPath(entry.slice(entry.indexOf(':') + 1));
    return typeof checked === 'string' ? entry : checked.path.toLowerCase();
  };
  const valid = fc.tuple(
    fc.uniqueArray(validHost, { minLength: 1, maxLength: 5, selector: (h) => h.toLowerCase() }),
    fc.uniqueArray(validPathEntry, { minLength: 1, maxLength: 5, selector: canonical }),
    fc.constantFrom(' ', '\n', '\t', ' \r\n '),
  );
  for (const [hosts, paths, separator] of fc.sample(valid, { seed: 20_261_203, numRuns: 500 })) {
    const verdict = agree('valid sample', hosts.join(separator), paths.join(separator), false);
    const stricter = stricterCase(paths.join(' '));
    assert.ok(
      verdict.allowed || stricter !== null,
      `valid ${hosts.join(' ')} / ${paths.join(' ')}: ${verdict.matched && verdict.messages[0]}`,
    );
  }
  assert.ok(
    tally.admitted > 500 && tally.refused > 1_000,
    `admitted ${tally.admitted}, refused ${tally.refused}, stricter ${tally.stricter}`,
  );
});

// Runs the policy's path check over many entries at once, in chunks (the evaluator's lists nest per element).
function refusedEntries(entries: readonly string[]): Set<string> {
  const refused = new Set<string>();
  for (let at = 0; at < entries.length; at += 2_000) {
    const chunk = entries.slice(at, at + 2_000);
    for (const entry of policy.variable('badPaths', { paths: chunk, maxEntries: chunk.length }) as Iterable<string>)
      refused.add(entry);
  }
  return refused;
}

test('escapes: the policy admits exactly the listed ranges, and the controller accepts all of them', () => {
  const encode = (char: string, i: number): string => {
    const upper = encodeURIComponent(char);
    return i % 2 === 0 ? upper : upper.toLowerCase();
  };
  // Every code point of the BMP and the next plane, and a sample beyond.
  const chars: string[] = [];
  for (let cp = 0x80; cp <= 0x1ffff; cp++) if (cp < 0xd800 || cp > 0xdfff) chars.push(String.fromCodePoint(cp));
  for (let cp = 0x20000; cp <= 0x10ffff; cp += 251) chars.push(String.fromCodePoint(cp));
  const entries = chars.map((char, i) => `80:/x${encode(char, i)}`);
  const bad = refusedEntries(entries);
  let admitted = 0;
  entries.forEach((entry, i) => {
    const expected = admittedEscape(chars[i]!);
    assert.equal(!bad.has(entry), expected, `U+${chars[i]!.codePointAt(0)!.toString(16)} ${entry}`);
    if (!expected) return;
    admitted++;
    assert.equal(typeof checkPath(entry.slice(3)), 'object', `the controller refuses ${entry}`);
  });
  assert.ok(admitted > 30_000, `${admitted} admitted`);
  // Every byte and every pair of bytes as escapes: nothing else (ASCII, overlong, partial, invalid UTF-8) gets in.
  const hex = (b: number): string => `%${b.toString(16).padStart(2, '0').toUpperCase()}`;
  const raw: string[] = [];
  for (let a = 0; a < 256; a++) {
    raw.push(`80:/${hex(a)}`);
    for (let b = 0; b < 256; b++) raw.push(`80:/${hex(a)}${hex(b)}`);
  }
  const refused = refusedEntries(raw);
  for (const entry of raw)
    if (!refused.has(entry))
      assert.equal(typeof checkPath(entry.slice(3)), 'object', `the controller refuses ${entry}`);
});

test('workloads: the pod templates of all five kinds get the pod checks, so kubectl apply shows the refusal', () => {
  const good = podObject(OPT_IN, { [names.hosts]: 'shop.example.com', [names.paths]: '80:/ 8080:/api' });
  const bad = podObject(OPT_IN, { [names.hosts]: 'shop.example.com', [names.paths]: '80:/x;}' });
  const plain = podObject({ app: 'web' }, { [names.hosts]: 'x;', [names.paths]: '80:/x;}' });
  for (const kind of WORKLOADS) {
    const review = (object: typeof good, oldObject?: typeof good): Verdict =>
      policy.review({ operation: oldObject === undefined ? 'CREATE' : 'UPDATE', object, oldObject });
    assert.deepEqual(
      review(workloadObject(kind, good)),
      { matched: true, allowed: true, messages: [], errors: [] },
      kind,
    );
    const refused = review(workloadObject(kind, bad));
    assert.ok(refused.matched && !refused.allowed, kind);
    assert.deepEqual(refused.messages, [
      `spec.template.metadata.annotations.${names.paths}: entry "80:/x;}" has a path with characters other than letters, digits, "-._~/" and %XX escapes`,
    ]);
    assert.deepEqual(review(workloadObject(kind, plain)), { matched: false }, `${kind}: not opted in`);
    const noTemplate = { ...workloadObject(kind, good), spec: { replicas: 1 } };
    assert.deepEqual(review(noTemplate), { matched: false }, `${kind}: no template`);
    // Updates: a template that newly opts in or changes its values is checked; an unchanged one is not, so an
    // object from before the policy can still be scaled, relabelled or deleted.
    const scaled = {
      ...workloadObject(kind, bad),
      spec: { ...(workloadObject(kind, bad)['spec'] as object), replicas: 5 },
    };
    assert.ok((review(scaled, workloadObject(kind, bad)) as { allowed: boolean }).allowed, `${kind}: unchanged values`);
    assert.ok(
      !(review(workloadObject(kind, bad), workloadObject(kind, good)) as { allowed: boolean }).allowed,
      `${kind}: changed to bad`,
    );
    assert.ok(
      !(review(workloadObject(kind, bad), workloadObject(kind, plain)) as { allowed: boolean }).allowed,
      `${kind}: newly opted in`,
    );
    assert.ok(
      (review(workloadObject(kind, plain), workloadObject(kind, bad)) as { matched: boolean }).matched === false,
      `${kind}: opted out`,
    );
  }
});

test('pods: the routing annotations and the opt-in label cannot be added, changed or removed on UPDATE', () => {
  const values = { [names.hosts]: 'shop.example.com', [names.paths]: '80:/' };
  const pod = (
    labels: Record<string, string>,
    annotations: Record<string, string | null>,
  ): ReturnType<typeof podObject> => podObject(labels, annotations);
  const update = (oldObject: ReturnType<typeof podObject>, object: ReturnType<typeof podObject>): Verdict =>
    policy.review({ operation: 'UPDATE', object, oldObject });
  const label = `metadata.labels.${settings.selector[0]!.key}: the opt-in label may not be`;
  const annotation = (name: string): string =>
    `metadata.annotations.${name}: the routing annotations may not be added to, changed on or removed from an existing pod`;
  const cases: [string, ReturnType<typeof podObject>, ReturnType<typeof podObject>, string | null][] = [
    ['unchanged', pod(OPT_IN, values), pod(OPT_IN, values), null],
    [
      'another label and annotation change',
      pod(OPT_IN, values),
      pod({ ...OPT_IN, tier: 'web' }, { ...values, note: 'x' }),
      null,
    ],
    [
      'hosts changed (the hijack)',
      pod(OPT_IN, values),
      pod(OPT_IN, { ...values, [names.hosts]: 'shop.example.com bank.example.com' }),
      annotation(names.hosts),
    ],
    [
      'paths changed',
      pod(OPT_IN, values),
      pod(OPT_IN, { ...values, [names.paths]: '80:/admin' }),
      annotation(names.paths),
    ],
    ['hosts added', pod(OPT_IN, { [names.paths]: '80:/' }), pod(OPT_IN, values), annotation(names.hosts)],
    ['paths removed', pod(OPT_IN, values), pod(OPT_IN, { [names.hosts]: 'shop.example.com' }), annotation(names.paths)],
    ['label added to an annotated pod', pod({}, values), pod(OPT_IN, values), `${label} added to`],
    ['label removed', pod(OPT_IN, values), pod({}, values), `${label} removed from`],
    ['label changed', pod(OPT_IN, values), pod({ microservice: 'false' }, values), `${label} changed on`],
    // A pod from before the policy keeps working: its values are not checked again, only kept.
    [
      'bad values from before the policy, unchanged',
      pod(OPT_IN, { [names.hosts]: 'x;' }),
      pod({ ...OPT_IN, tier: 'web' }, { [names.hosts]: 'x;' }),
      null,
    ],
  ];
  for (const [name, oldObject, object, expected] of cases) {
    const verdict = update(oldObject, object);
    assert.ok(verdict.matched, name);
    assert.deepEqual(verdict.errors, [], name);
    if (expected === null) assert.deepEqual(verdict.messages, [], name);
    else assert.ok(verdict.messages[0]?.startsWith(expected), `${name}: ${verdict.messages[0]}`);
  }
  const unrelated = update(pod({ app: 'web' }, values), pod({ app: 'web' }, { [names.hosts]: 'x;' }));
  assert.deepEqual(unrelated, { matched: false }, "pods that never opted in are not the policy's business");
  assert.deepEqual(
    policy.review({
      operation: 'UPDATE',
      subResource: 'status',
      object: pod(OPT_IN, {}),
      oldObject: pod(OPT_IN, values),
    }),
    { matched: false },
    'status updates',
  );
  assert.deepEqual(
    policy.review({
      operation: 'CREATE',
      object: { ...workloadObject('Deployment', pod(OPT_IN, { [names.hosts]: 'x;' })), kind: 'CronJob' },
    }),
    { matched: false },
    'CronJobs are checked when their pods are created',
  );
});

// The README shows what `kubectl apply` prints for its example; the message must be the one this policy produces.
test('the README shows the refusal this policy really produces for its example Deployment', () => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('### Admission policy'));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
  const shown = /```text\n\$ kubectl apply -f web\.yaml\n([^\n]*)\n```/.exec(section)![1]!;
  const deployment = parse(yaml) as ReturnType<typeof podObject>;
  const verdict = policy.review({ operation: 'CREATE', object: deployment });
  assert.ok(verdict.matched && !verdict.allowed);
  const name = policyObject.metadata.name;
  // kubectl's form of a 422 whose cause has no field: "The RESOURCE "NAME" is invalid: : CAUSE".
  assert.equal(
    shown,
    `The deployments "${deployment.metadata.name}" is invalid: : ValidatingAdmissionPolicy '${name}' with binding '${binding.metadata.name}' denied request: ${verdict.messages[0]}`,
  );
});
