// `npx tsx bench/tls-render.ts [PODS] [TLS_SHARE]`: what TLS adds to a render and to reading a Secret. Builds a state
// of PODS pods on PODS/2 hosts, TLS_SHARE of the hosts naming a Secret (certificate facts, no crypto), then times a
// full render and a one-pod change with TLS off and on; and times projectSecret on an openssl-made Secret.
import { makeCa, makeLeaf, tlsSecret } from '../test/support/certificates.js';
import { keyMaterial, type ProjectedSecret } from '../src/model/secret.js';
import type { PodEvent } from '../src/model/events.js';
import type { ProjectedPod } from '../src/model/pod.js';
import { applyEvents, DEFAULT_REDUCE_OPTIONS, EMPTY_STATE } from '../src/model/routing-state.js';
import { StateRenderer } from '../src/render/render-config.js';
import { loadTemplate } from '../src/commands/load-template.js';
import { projectSecret } from '../src/streams/project-secret.js';

const pods = Number(process.argv[2] ?? 20_000);
const share = Number(process.argv[3] ?? 0.2);
const now = Date.now();
const hosts = Math.max(1, Math.floor(pods / 2));
const list: ProjectedPod[] = [];
const secrets: ProjectedSecret[] = [];
for (let i = 0; i < pods; i++) {
  const h = i % hosts;
  const tls = h < hosts * share;
  list.push({
    uid: `u${i}`,
    namespace: `ns${h % 500}`,
    name: `p${i}`,
    created: 1000 + i,
    phase: 'Running',
    ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    ready: true,
    deleting: false,
    hosts: `h${h}.example.com`,
    paths: '8080:/',
    tlsSecret: tls ? `tls-${h}` : null,
  });
  if (tls && i < hosts) {
    secrets.push({
      namespace: `ns${h % 500}`,
      name: `tls-${h}`,
      type: 'kubernetes.io/tls',
      certificate: {
        sha256: h.toString(16).padStart(64, '0'),
        names: [`h${h}.example.com`],
        notBefore: now - 1e9,
        notAfter: now + 1e10,
      },
      problem: null,
      material: keyMaterial(() => ''),
    });
  }
}
const template = loadTemplate();
const events: PodEvent[] = [
  { type: 'SYNC', pods: list },
  { type: 'SECRET_SYNC', secrets },
];
const tls = { defaultSecret: null, httpsPort: 443, publicHttpsPort: 443, redirect: true, hstsMaxAge: 0 };

function time(what: string, run: () => unknown, rounds = 5): void {
  run();
  const started = performance.now();
  for (let i = 0; i < rounds; i++) run();
  console.log(`${what}: ${((performance.now() - started) / rounds).toFixed(1)} ms`);
}

for (const on of [false, true]) {
  const options = { port: 80, ownership: 'host' as const, ...(on ? { tls } : {}) };
  const base = applyEvents(EMPTY_STATE, on ? events : [events[0]!], now, DEFAULT_REDUCE_OPTIONS);
  time(
    `pods=${pods} hosts=${hosts} tls_hosts=${secrets.length} TLS ${on ? 'on ' : 'off'} full render`,
    () => new StateRenderer(template, options).render(base).text.length,
    3,
  );
  const renderer = new StateRenderer(template, options);
  renderer.render(base);
  let flip = false;
  time(
    `pods=${pods} TLS ${on ? 'on ' : 'off'} one pod changed (reduce + render)`,
    () => {
      flip = !flip;
      const changed = applyEvents(
        base,
        [{ type: 'MODIFIED', pod: { ...list[0]!, ready: flip } }],
        now,
        DEFAULT_REDUCE_OPTIONS,
      );
      return renderer.render(changed).routes;
    },
    10,
  );
}

const ca = makeCa();
const leaf = makeLeaf(ca, { sans: ['DNS:shop.example.com'] });
const raw = tlsSecret('shop', 'tls', { certPem: leaf.certPem + ca.certPem, keyPem: leaf.keyPem });
time('projectSecret (EC P-256 leaf + CA, parse + key check)', () => projectSecret(raw), 200);
ca.dispose();
