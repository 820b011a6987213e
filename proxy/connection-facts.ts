import type { Socket } from 'node:net';
import type { IpAddress } from '../core/attribute/ip-address.js';
import { socketIp } from './identity-attributes.js';

/** What a connection contributes to every request on it, worked out once per connection. */
export interface ConnectionFacts {
  readonly id: string;
  readonly sourceIp: IpAddress | undefined;
  readonly localIp: IpAddress | undefined;
}

/** Numbers the connections a listener accepts (`connection.id` = reporter uid + number) and keeps their addresses. */
export class ConnectionIds {
  private readonly facts = new WeakMap<Socket, ConnectionFacts>();
  private next = 0;

  constructor(private readonly prefix: string) {}

  of(socket: Socket): ConnectionFacts {
    let facts = this.facts.get(socket);
    if (facts === undefined) {
      facts = { id: `${this.prefix}-${++this.next}`, sourceIp: socketIp(socket.remoteAddress), localIp: socketIp(socket.localAddress) };
      this.facts.set(socket, facts);
    }
    return facts;
  }
}
