// Every command line of the README's sh blocks is either run here exactly as printed, in a fresh copy of the
// repository (no node_modules, no dist/), or named below with the reason it cannot run on this machine (a cluster,
// Docker, fixed ports, or the test suite itself). A new command line in the README fails this test until it is
// classified, so the README's commands cannot silently rot.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/cli.js';
import { requireNginx } from '../support/nginx-check.js';

const CLUSTER = 'needs a Kubernetes cluster (and kubectl)';
const DOCKER = 'needs Docker';
const FIXED_PORTS = 'fixed ports 8080/8081/9090; the same flow runs on free ports in test/e2e and test/integration';
const SUITE = 'is (part of) the test suite or CI itself';
const LONG = 'a long campaign; the suite runs 3,000 fuzz cases (test/adversarial/fuzz.test.ts)';
const SKIPPED: Record<string, string> = {
  'apt-get update && apt-get install -y nginx libnginx-mod-http-lua lua-resty-core openssl chromium && npm test': SUITE,
  'kubectl proxy --port 8080 &': CLUSTER,
  'KUBE_HOST=http://127.0.0.1:8080 npm start': FIXED_PORTS,
  'KUBE_HOST=http://127.0.0.1:8080 npm start -- --sink nginx --nginx-conf /tmp/ingress/nginx.conf --port 8081 --http-port 9090':
    FIXED_PORTS,
  "curl -H 'Host: test.k8s.local' http://127.0.0.1:8081/nodejs": FIXED_PORTS,
  'npm run record -- --out f.ndjson': CLUSTER,
  'KUBE_HOST=http://127.0.0.1:8080 npm run record -- --out f.ndjson': FIXED_PORTS,
  "kubectl get --raw '/api/v1/pods?watch=1&labelSelector=microservice%3Dtrue' > f.ndjson": CLUSTER,
  "kubectl get --raw '/api/v1/pods?watch=1&labelSelector=microservice%3Dtrue' | npm run -s replay -- - --last": CLUSTER,
  'curl -i http://127.0.0.1:8081/healthz': FIXED_PORTS,
  "curl -s http://127.0.0.1:8081/metrics | grep '^k8s_pods_ingress_'": FIXED_PORTS,
  'git clone <repository-url> k8s-pods-ingress && cd k8s-pods-ingress':
    'a placeholder URL; the fresh copy below stands in for the clone',
  'docker build -t k8s-pods-ingress:0.1.0 .': DOCKER,
  'docker build -t nodejs-k8s-env:1.0.0 demo': DOCKER,
  'REGISTRY=registry.example.com/team': 'part of the registry steps, with Docker',
  'for image in k8s-pods-ingress:0.1.0 nodejs-k8s-env:1.0.0; do docker tag $image $REGISTRY/$image && docker push $REGISTRY/$image; done':
    DOCKER,
  'sed -i "s#newName: k8s-pods-ingress#newName: $REGISTRY/k8s-pods-ingress#" deploy/kustomization.yaml deploy-deployment/kustomization.yaml':
    'part of the registry steps, with Docker',
  'kubectl apply -k deploy/': CLUSTER,
  'kubectl -n k8s-pods-ingress get pods -w': CLUSTER,
  'kubectl apply -f demo/rc.yaml': CLUSTER,
  "curl -H 'Host: test.k8s.local' $INGRESS/nodejs": CLUSTER,
  'kubectl scale rc nodejs-k8s-env --replicas=3': CLUSTER,
  'kubectl -n k8s-pods-ingress logs -f -l app.kubernetes.io/name=k8s-pods-ingress --prefix': CLUSTER,
  "POD=$(kubectl -n k8s-pods-ingress get pods -l app.kubernetes.io/name=k8s-pods-ingress -o jsonpath='{.items[0].metadata.name}')":
    CLUSTER,
  'kubectl -n k8s-pods-ingress exec $POD -- cat /var/run/k8s-pods-ingress/nginx.conf': CLUSTER,
  "for i in 1 2 3 4 5 6; do curl -s -H 'Host: test.k8s.local' $INGRESS/nodejs | grep '\"hostname\"'; done": CLUSTER,
  'npm test -- test/adversarial': SUITE,
  'npm run fuzz -- --seed 1 --runs 10000': LONG,
  'npm run fuzz -- --seed 20261128 --runs 2000000 --workers 2 --nginx-every 10000': LONG,
  'npm test': SUITE,
  'npm test -- test/model': SUITE,
  'npm run typecheck && npm run lint && npm run format:check': SUITE,
  'UPDATE_GOLDEN=1 npm test': SUITE,
  'npm run fuzz -- --runs 10000': LONG,
  'npm run bench': 'every benchmark, ~15 min (BENCHMARKS.md)',
  'bash .ci/run': SUITE,
  "curl -s 'http://127.0.0.1:8081/status?q=reports.example.com'": FIXED_PORTS,
  'kubectl -n k8s-pods-ingress port-forward $POD 8081 &': CLUSTER,
  "curl -s 'http://127.0.0.1:8081/status?q=promo-6f7c-k2j8d'": CLUSTER,
};

/** Returns every command line of the README's sh blocks, without its trailing comment, in order. */
function readmeCommands(): string[] {
  const lines: string[] = [];
  let inBlock = false;
  for (const line of readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n')) {
    if (/^\s*```sh\s*$/.test(line)) inBlock = true;
    else if (/^\s*```/.test(line)) inBlock = false;
    else if (inBlock && line.trim() !== '' && !line.trim().startsWith('#'))
      lines.push(line.trim().replace(/\s+#\s.*$/, ''));
  }
  return lines;
}

function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'readme-'));
  const skip = new Set(['node_modules', 'dist', '.git', 'nginx.conf']);
  cpSync(ROOT, dir, { recursive: true, filter: (source) => !skip.has(source.slice(ROOT.length).split('/')[0]!) });
  return dir;
}

function sh(line: string, cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('sh', ['-c', line], { cwd, encoding: 'utf8', timeout: 300_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('every README command line is run here as printed, or skipped for a reason', () => {
  requireNginx();
  const commands = readmeCommands();
  const runnable = commands.filter((line) => !(line in SKIPPED));
  for (const line of Object.keys(SKIPPED))
    assert.ok(commands.includes(line), `SKIPPED names a line the README no longer has: ${line}`);
  assert.deepEqual(
    runnable,
    [
      'npm ci && npm run replay -- examples/nodejs-k8s-env.ndjson --last',
      'npm run -s replay -- examples/nodejs-k8s-env.ndjson --last --backends static > nginx.conf && nginx -t -p /tmp/ -c "$PWD/nginx.conf"',
      'npm run -s replay -- examples/nodejs-k8s-env.ndjson --diff',
      'npm run -s replay -- examples/nodejs-k8s-env.ndjson --check',
      'npm run build',
      'npm run dev -- replay examples/nodejs-k8s-env.ndjson --last',
      'NODE_OPTIONS=--enable-source-maps npm run replay -- examples/nodejs-k8s-env.ndjson --last',
    ],
    'the README lines run here; classify a new line here or in SKIPPED',
  );
  const dir = freshCopy();
  try {
    const results = runnable.map((line) => [line, sh(line, dir)] as const);
    for (const [line, result] of results) assert.equal(result.status, 0, `${line}\n${result.stderr}`);
    const [install, saved, diff, check, build, dev, mapped] = results.map(([, result]) => result);
    assert.match(install!.stdout, /set \$k8s_route microservice1866206336;/);
    assert.match(install!.stdout, /^# microservice1866206336 test\.k8s\.local \/nodejs 10\.244\.1\.5:3000/m);
    assert.doesNotMatch(
      install!.stderr,
      /EBADENGINE|install-scripts|npm warn/,
      'npm ci on this Node prints no warnings',
    );
    const conf = readFileSync(join(dir, 'nginx.conf'), 'utf8');
    assert.match(conf, /^# Rendered by k8s-pods-ingress/, 'only the config, no npm banner');
    assert.match(saved!.stderr, /syntax is ok/);
    // Dynamic mode: one structure (the route never changes), four memberships (a pod arrives, turns ready, two more).
    assert.deepEqual(diff!.stdout.match(/^# config \d+/gm), ['# config 1']);
    assert.deepEqual(diff!.stdout.match(/^# members \d+/gm), [
      '# members 1',
      '# members 2',
      '# members 3',
      '# members 4',
    ]);
    assert.match(check!.stderr, /nginx -t accepted every config/);
    assert.ok(existsSync(join(dir, 'dist', 'main.js')), build!.stderr);
    const config = (out: string): string => out.slice(out.indexOf('# Rendered by'));
    assert.equal(config(dev!.stdout), config(install!.stdout), 'the sources render what the build renders');
    assert.equal(config(mapped!.stdout), config(install!.stdout), 'source maps change nothing but stack traces');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
