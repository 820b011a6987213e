import { parseArgs } from 'node:util';
import { CLIENT_OPTIONS, clientAttributes, postJson, serverUrl } from './mixer-client-arguments.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command, type CommandIo } from './command.js';
import { typedAttributes, withGrpcTransport } from './grpc-client-call.js';

export const reportCommand: Command = {
  name: 'report',
  summary: 'send a Report to a running Mixer (mixc-style)',
  usage: `Usage: mixer report [-a name=value]... [--attributes JSON|@file] [--repeat N] [--grpc]

Sends a Report of one request's attributes (N copies with --repeat) to a running Mixer's
HTTP/JSON API, or its gRPC API with --grpc.

Options:
  -a, --attribute N=V   an attribute (typed by the server's attribute manifest)
  --attributes JSON     a JSON object of attributes, or @path to a JSON file
  --repeat N            report the same attributes N times in one batch (default 1)
  --grpc                use the gRPC API (one batch, INDEPENDENT encoding)
  --server ADDRESS      Mixer's HTTP API (default http://127.0.0.1:9092), or with --grpc its
                        gRPC address (default 127.0.0.1:9091)
  -h, --help            show this help

Exit status: 0 accepted; 1 the server refused it; 2 bad usage or Mixer unreachable.`,

  async run(args: readonly string[], io: CommandIo): Promise<number> {
    const { values } = parseArgs({ args: [...args], allowPositionals: false, options: { ...CLIENT_OPTIONS, repeat: { type: 'string' }, grpc: { type: 'boolean' } } });
    if (values.help === true) {
      io.stdout(`${reportCommand.usage}\n`);
      return EXIT_OK;
    }
    const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
    if (!Number.isSafeInteger(repeat) || repeat < 1) throw new UsageError(`--repeat ${values.repeat ?? ''}: expected a positive integer`);
    const attributes = clientAttributes(values.attributes, values.attribute ?? []);
    if (values.grpc === true) {
      const bag = typedAttributes(attributes);
      await withGrpcTransport(values.server, (transport) => transport.report(new Array<typeof bag>(repeat).fill(bag)));
      io.stdout('{}\n');
      return EXIT_OK;
    }
    const response = await postJson(new URL('/v1/report', serverUrl(values.server)), { attributes: new Array<unknown>(repeat).fill(attributes) });
    io.stdout(`${JSON.stringify(response.body, null, 2)}\n`);
    return response.status === 200 ? EXIT_OK : EXIT_FAILURE;
  },
};
