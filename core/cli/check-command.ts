import { parseArgs } from 'node:util';
import { CLIENT_OPTIONS, clientAttributes, postJson, serverUrl } from './mixer-client-arguments.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command, type CommandIo } from './command.js';
import { checkResponseJsonFromWire, typedAttributes, withGrpcTransport } from './grpc-client-call.js';

export const checkCommand: Command = {
  name: 'check',
  summary: 'send a Check to a running Mixer (mixc-style) and print the response',
  usage: `Usage: mixer check [-a name=value]... [--attributes JSON|@file] [--quota name=amount]... [--explain] [--grpc]

Sends one Check to a running Mixer (its HTTP/JSON API, or its gRPC API with --grpc) and prints
the CheckResponse as JSON.

Options:
  -a, --attribute N=V   an attribute (typed by the server's attribute manifest)
  --attributes JSON     a JSON object of attributes, or @path to a JSON file
  -q, --quota N=AMOUNT  allocate AMOUNT of quota N (repeatable); add --best-effort for partial grants
  --best-effort         quotas may be granted partially
  --dedup-id ID         the request's deduplication id
  --explain             also print which rules were considered and matched, the instances
                        built, what each handler answered and how answers were combined
  --grpc                use the gRPC API (istio.mixer.v1, compressed attributes); -a values are
                        typed by the standard attribute vocabulary
  --server ADDRESS      Mixer's HTTP API (default http://127.0.0.1:9092), or with --grpc its
                        gRPC address (default 127.0.0.1:9091)
  -h, --help            show this help

Exit status: 0 the check was answered (allowed or denied: see precondition.status);
1 the server failed the call; 2 bad usage or Mixer unreachable.`,

  async run(args: readonly string[], io: CommandIo): Promise<number> {
    const { values } = parseArgs({
      args: [...args],
      allowPositionals: false,
      options: {
        ...CLIENT_OPTIONS,
        quota: { type: 'string', short: 'q', multiple: true },
        'best-effort': { type: 'boolean' },
        'dedup-id': { type: 'string' },
        explain: { type: 'boolean' },
        grpc: { type: 'boolean' },
      },
    });
    if (values.help === true) {
      io.stdout(`${checkCommand.usage}\n`);
      return EXIT_OK;
    }
    const quotas: Record<string, { amount: number; bestEffort: boolean }> = {};
    for (const pair of values.quota ?? []) {
      const match = /^([^=]+)=(-?\d+)$/.exec(pair);
      if (match === null) throw new UsageError(`--quota ${pair}: expected name=amount`);
      quotas[match[1]!] = { amount: Number(match[2]), bestEffort: values['best-effort'] === true };
    }
    if (values.grpc === true) {
      if (values.explain === true) throw new UsageError('--explain needs the HTTP API (drop --grpc)');
      const attributes = typedAttributes(clientAttributes(values.attributes, values.attribute ?? []));
      const response = await withGrpcTransport(values.server, (transport) =>
        transport.check({
          attributes,
          quotas: new Map(Object.entries(quotas)),
          deduplicationId: values['dedup-id'] ?? '',
        }),
      );
      io.stdout(`${JSON.stringify(checkResponseJsonFromWire(response), null, 2)}\n`);
      return EXIT_OK;
    }
    const body: Record<string, unknown> = { attributes: clientAttributes(values.attributes, values.attribute ?? []) };
    if (Object.keys(quotas).length > 0) body['quotas'] = quotas;
    if (values['dedup-id'] !== undefined) body['deduplicationId'] = values['dedup-id'];
    const url = new URL(`/v1/check${values.explain === true ? '?explain=true' : ''}`, serverUrl(values.server));
    const response = await postJson(url, body);
    io.stdout(`${JSON.stringify(response.body, null, 2)}\n`);
    return response.status === 200 ? EXIT_OK : EXIT_FAILURE;
  },
};
