import http from 'node:http';
import { KubeConfig, Watch } from '@kubernetes/client-node';
const mode = process.argv[2];
const sockets = new Set<import('node:net').Socket>();
const server = http.createServer((req, res) => {
  if (mode === 'hang') return;
  res.writeHead(200, { 'Content-Type': 'application/json' }); res.flushHeaders();
  res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } }) + '\n');
  if (mode === 'end') setTimeout(() => res.end(), 100);
  if (mode === 'destroy') setTimeout(() => req.socket.destroy(), 100);
});
server.on('connection', (s) => { sockets.add(s); });
server.listen(0, '127.0.0.1', async () => {
  const port = (server.address() as import('node:net').AddressInfo).port;
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser({ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }, { name: 'u' });
  const t0 = Date.now();
  const p = new Watch(kc).watch('/api/v1/pods', {}, (t, o) => console.log('event', t, o.metadata.name), (err) => {
    console.log('done after', Date.now() - t0, 'err=', err && { name: err.name, message: err.message, code: err.code, type: err.type, statusCode: err.statusCode });
  });
  p.then((c) => { console.log('watch() resolved, aborted?', c.signal.aborted); if (mode === 'abort') setTimeout(() => c.abort(), 100); });
  setTimeout(() => { console.log('cleanup'); for (const s of sockets) s.destroy(); server.close(); }, 600);
});
