// Real TLS clients against the nginx under test, always on 127.0.0.1: a bare handshake (with or without SNI),
// HTTP/1.1 over TLS (node:https) and HTTP/2 (node:http2), each reporting the certificate the server showed.
import { connect as http2Connect } from 'node:http2';
import { request } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';

/** The outcome of a handshake: the protocol ALPN chose and the certificate shown, or the error. */
export type Handshake =
  | { readonly ok: true; readonly alpn: string | false; readonly fingerprint256: string }
  | { readonly ok: false; readonly error: string; readonly certificateShown: boolean };

/** Connects to 127.0.0.1:port with SNI `servername` (none when null), offering h2 and http/1.1. */
export function handshake(port: number, servername: string | null, ca: string): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket: TLSSocket = connect({
      host: '127.0.0.1',
      port,
      ca,
      ALPNProtocols: ['h2', 'http/1.1'],
      ...(servername === null ? {} : { servername }),
      // An IP host would make node send no SNI anyway; checked by hand below so a refusal is seen as such.
      checkServerIdentity: () => undefined,
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('handshake timed out')));
    socket.on('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      resolve({ ok: true, alpn: socket.alpnProtocol ?? false, fingerprint256: cert.fingerprint256 });
      socket.end();
    });
    socket.on('error', (error) => {
      const cert = socket.getPeerCertificate?.();
      resolve({
        ok: false,
        error: error.message,
        certificateShown: cert !== undefined && cert !== null && Object.keys(cert).length > 0,
      });
    });
  });
}

/** An HTTPS answer: status, headers, body, the backend, and the certificate and protocol of the connection. */
export interface TlsAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly backend: string | null;
  readonly fingerprint256: string;
  readonly protocol: string;
}

/** Sends `GET path` over HTTP/1.1 + TLS with SNI and Host `host` on a fresh connection. */
export function httpsGet(port: number, host: string, path: string, ca: string): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    let fingerprint256 = '';
    const options = {
      host: '127.0.0.1',
      port,
      path,
      servername: host,
      ca,
      headers: { host },
      agent: false as const,
      ALPNProtocols: ['http/1.1'],
    };
    const req = request(options);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET https://${host}${path} timed out`)));
    req.on('socket', (socket) =>
      socket.on('secureConnect', () => (fingerprint256 = (socket as TLSSocket).getPeerCertificate().fingerprint256)),
    );
    req.on('error', reject);
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const backend = response.headers['x-backend'];
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          backend: typeof backend === 'string' ? backend : null,
          fingerprint256,
          protocol: 'http/1.1',
        });
      });
    });
    req.end();
  });
}

/** Sends `GET path` over HTTP/2 with SNI and :authority `host`; fails if ALPN does not pick h2. */
export function h2Get(port: number, host: string, path: string, ca: string): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(`https://127.0.0.1:${port}`, {
      servername: host,
      ca,
      ALPNProtocols: ['h2', 'http/1.1'],
    });
    const fail = (error: Error): void => {
      session.destroy();
      reject(error);
    };
    session.on('error', fail);
    session.setTimeout(10_000, () => fail(new Error(`h2 GET https://${host}${path} timed out`)));
    session.on('connect', () => {
      const socket = session.socket as TLSSocket;
      const fingerprint256 = socket.getPeerCertificate().fingerprint256;
      const protocol = socket.alpnProtocol || 'none';
      const stream = session.request({ ':method': 'GET', ':path': path, ':authority': host, ':scheme': 'https' });
      const chunks: Buffer[] = [];
      let headers: Record<string, string | string[] | undefined> = {};
      stream.on('response', (h) => (headers = h as Record<string, string | string[] | undefined>));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', fail);
      stream.on('end', () => {
        session.close();
        const backend = headers['x-backend'];
        resolve({
          status: Number(headers[':status'] ?? 0),
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
          backend: typeof backend === 'string' ? backend : null,
          fingerprint256,
          protocol,
        });
      });
      stream.end();
    });
  });
}
