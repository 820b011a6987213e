import { StringMap } from '../../attribute/string-map.js';
import { toDnsName } from '../functions/dns-name.js';
import { toEmail } from '../functions/email.js';
import { globMatch } from '../functions/glob.js';
import { toIpAddress } from '../functions/ip.js';
import { toUri } from '../functions/uri.js';
import { global, impl1, impl2, member, type Overload } from './overload.js';
import { reverseCodePoints } from './text.js';
import { BOOL, DNS_NAME_MESSAGE, EMAIL_MESSAGE, IP_ADDRESS_MESSAGE, STRING, STRING_MAP, URI_MESSAGE } from './types.js';

/**
 * The functions Istio registers on top of standard CEL (mixer/pkg/lang/cel/functions.go),
 * with CEXL's behaviour and error texts.
 */
export function istioOverloads(): Overload[] {
  const reverse = impl1<string>(reverseCodePoints);
  return [
    global('match', 'match', [STRING, STRING], BOOL, impl2<string, string>((value, pattern) => globMatch(value, pattern))),
    global('reverse', 'reverse', [STRING], STRING, reverse),
    member('string_reverse', 'reverse', [STRING], STRING, reverse),
    global('toLower', 'toLower', [STRING], STRING, impl1<string>((value) => value.toLowerCase())),
    global('email', 'email', [STRING], EMAIL_MESSAGE, impl1<string>(toEmail)),
    global('dnsName', 'dnsName', [STRING], DNS_NAME_MESSAGE, impl1<string>(toDnsName)),
    global('uri', 'uri', [STRING], URI_MESSAGE, impl1<string>(toUri)),
    global('ip', 'ip', [STRING], IP_ADDRESS_MESSAGE, impl1<string>(toIpAddress)),
    global('emptyStringMap', 'emptyStringMap', [], STRING_MAP, () => StringMap.EMPTY),
  ];
}
