// The ceiling of the gRPC bench: a bare grpc-js service on Mixer's Check path that sends the
// request's bytes straight back (no decoding, no work). Run as its own process; prints
// `grpc://127.0.0.1:PORT` on stdout.
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { rawUnaryMethod } from './raw-grpc.js';

const server = new Server();
server.addService(
  { Check: rawUnaryMethod('/istio.mixer.v1.Mixer/Check') },
  { Check: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => callback(null, call.request) },
);
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
  if (error !== null) {
    process.stderr.write(`echo server failed: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`grpc://127.0.0.1:${port}\n`);
});
