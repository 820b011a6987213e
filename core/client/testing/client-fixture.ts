import type { AttributeValue } from '../../attribute/value.js';
import { DictBag } from '../../attribute/dict-bag.js';
import { StringMap } from '../../attribute/string-map.js';
import type { TunableClientOptions } from '../client-options.js';
import { MixerClient } from '../mixer-client.js';
import { ManualClock } from './manual-clock.js';
import { ScriptedTransport, type CheckScript } from './scripted-transport.js';

/** A client over a scripted transport and a manual clock, with deterministic jitter and ids. */
export function scriptedClient(script?: CheckScript, options: TunableClientOptions & { random?: () => number } = {}) {
  const transport = new ScriptedTransport(script);
  const clock = new ManualClock();
  const client = new MixerClient({ ...options, transport, clock, random: options.random ?? (() => 0), uuid: () => 'base-' });
  return { client, transport, clock };
}

/** A request bag; plain objects become string maps. */
export function bag(values: Readonly<Record<string, AttributeValue | Readonly<Record<string, string>>>>): DictBag {
  return new DictBag(
    Object.entries(values).map(([name, value]) => [
      name,
      typeof value === 'object' && !(value instanceof StringMap) && Object.getPrototypeOf(value) === Object.prototype
        ? StringMap.fromObject(value as Record<string, string>)
        : (value as AttributeValue),
    ]),
  );
}
