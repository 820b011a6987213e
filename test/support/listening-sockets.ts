import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';

/** /proc/net/tcp's state of a listening socket. */
const LISTEN = '0A';

/**
 * The local addresses the kernel has a listening TCP socket on for `port` (`127.0.0.1`,
 * `0.0.0.0`, `::`, ...), read from Linux's /proc/net/tcp and tcp6: what was really bound, not
 * what a program says it bound. Undefined where there is no /proc (not Linux).
 */
export function listeningAddresses(port: number): string[] | undefined {
  if (!existsSync('/proc/net/tcp')) return undefined;
  const found: string[] = [];
  for (const [file, decode] of [
    ['/proc/net/tcp', ipv4],
    ['/proc/net/tcp6', ipv6],
  ] as const) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'latin1').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (local === undefined || state !== LISTEN) continue;
      const [address, hexPort] = local.split(':');
      if (address !== undefined && hexPort !== undefined && Number.parseInt(hexPort, 16) === port) found.push(decode(address));
    }
  }
  return found;
}

/** An IPv4 address as /proc writes it: one 32-bit word in host (little-endian) order. */
function ipv4(hex: string): string {
  return [3, 2, 1, 0].map((i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}

/** An IPv6 address as /proc writes it: four 32-bit words, each in host order; printed uncompressed. */
function ipv6(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < 4; word++) for (const i of [3, 2, 1, 0]) bytes.push(Number.parseInt(hex.slice(word * 8 + i * 2, word * 8 + i * 2 + 2), 16));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  const text = groups.join(':');
  return text === '0:0:0:0:0:0:0:0' ? '::' : text === '0:0:0:0:0:0:0:1' ? '::1' : text;
}

/** This machine's first IPv4 address that is not loopback, if it has one. */
export function nonLoopbackIpv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}

/** Whether a TCP connection to `host:port` is accepted (true) or refused or fails (the error code). */
export function tryConnect(host: string, port: number): Promise<true | string> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}
