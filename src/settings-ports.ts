// Cross-checks of the port settings: each row of SETTINGS is parsed alone, but nginx cannot listen for HTTP and HTTPS
// on one port (`nginx -t` refuses every config with a TLS host), and the status server cannot share nginx's port.

/** The port settings that must differ. */
export interface PortSettings {
  readonly port: number;
  readonly httpsPort: number;
  readonly httpPort: number;
  readonly tls: boolean;
}

/** Returns what to fix when two ports that must differ are equal, or null; `statusServer` when the command runs one. */
export function portClash(settings: PortSettings, statusServer: boolean): string | null {
  if (!settings.tls) return null;
  if (settings.httpsPort === settings.port) {
    return `--https-port ${settings.httpsPort} is also --port: nginx cannot serve HTTP and HTTPS on one port; choose another --https-port (or --port), or turn HTTPS off with --tls=false`;
  }
  if (statusServer && settings.httpPort === settings.httpsPort) {
    return `--https-port ${settings.httpsPort} is also --http-port (the status server): choose another --https-port or --http-port`;
  }
  return null;
}
