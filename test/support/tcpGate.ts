// A TCP gate in front of a local server: while closed it accepts connections and holds them,
// forwarding nothing either way; opened, it connects each held connection to the server and pipes
// both ways. A connection whose client dies while held never reaches the server — the network
// between a worker killed mid-request and a receiver that never got the request.
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export async function startTcpGate(upstreamPort: number) {
  let open = false;
  const held: { client: Socket; buffered: Buffer[] }[] = [];
  const state = { connections: 0, forwarded: 0 };
  const forward = (client: Socket, buffered: Buffer[]) => {
    if (client.destroyed) return;
    state.forwarded += 1;
    const upstream = connect(upstreamPort, '127.0.0.1');
    for (const chunk of buffered) upstream.write(chunk);
    client.removeAllListeners('data');
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  };
  const server = createServer((client) => {
    state.connections += 1;
    if (open) return forward(client, []);
    const entry = { client, buffered: [] as Buffer[] };
    client.on('data', (chunk: Buffer) => entry.buffered.push(chunk));
    client.on('error', () => client.destroy());
    held.push(entry);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    state,
    /** Connections held right now whose client is still there. */
    waiting: () => held.filter((h) => !h.client.destroyed).length,
    open() {
      open = true;
      for (const { client, buffered } of held.splice(0)) forward(client, buffered);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
