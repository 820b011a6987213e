/** A TCP endpoint parsed from `host:port` (`[v6]:port` for IPv6), as Go's net.SplitHostPort reads it. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`; returns the reason when it is malformed. */
export function parseHostPort(address: string): HostPort | { readonly error: string } {
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(address);
  let host: string;
  let portText: string;
  if (bracketed !== null) {
    host = bracketed[1]!;
    portText = bracketed[2]!;
  } else {
    const colon = address.lastIndexOf(':');
    if (colon < 0) return { error: `missing port in address ${JSON.stringify(address)}` };
    host = address.slice(0, colon);
    portText = address.slice(colon + 1);
    if (host.includes(':')) return { error: `too many colons in address ${JSON.stringify(address)}` };
  }
  if (!/^[0-9]+$/.test(portText)) return { error: `invalid port ${JSON.stringify(portText)}` };
  const port = Number(portText);
  if (port < 1 || port > 65535) return { error: `port ${port} is out of range 1-65535` };
  return { host: host === '' ? 'localhost' : host, port };
}
