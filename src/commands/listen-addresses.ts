import { networkInterfaces } from 'node:os';
import type { Settings } from '../settings.js';

/** Tells whether this host has IPv6: some interface, loopback included, carries an IPv6 address. */
export function hostHasIpv6(interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces()): boolean {
  return Object.values(interfaces).some((addresses) => (addresses ?? []).some((address) => address.family === 'IPv6'));
}

let detected: readonly string[] | null = null;

/**
 * Returns the addresses nginx listens on: the `--listen` setting, else `0.0.0.0` plus `::` where the host has IPv6
 * (looked at once per process, so every config of a run listens alike).
 */
export function listenAddresses(settings: Pick<Settings, 'listen'>): readonly string[] {
  if (settings.listen !== null) return settings.listen;
  return (detected ??= hostHasIpv6() ? ['0.0.0.0', '::'] : ['0.0.0.0']);
}
