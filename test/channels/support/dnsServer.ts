// A real DNS server on loopback (dns2, UDP + TCP on one random port) answering from a small zone,
// and a node:dns Resolver pointed at it. Unknown names answer NXDOMAIN; known names without the
// asked type answer NOERROR with no records (ENODATA), as real servers do.
import { promises as dns } from 'node:dns';
import dns2 from 'dns2';

const { Packet } = dns2;

export type ZoneRecord = {
  MX?: { exchange: string; priority: number }[];
  A?: string[];
  TXT?: string[][];
  CNAME?: string;
};
export type Zone = Record<string, ZoneRecord>;

export type LocalDns = {
  port: number;
  /** "127.0.0.1:port", for Resolver.setServers. */
  server: string;
  resolver: dns.Resolver;
  zone: Zone;
  queries: { name: string; type: number }[];
  close(): Promise<void>;
};

export async function startDnsServer(zone: Zone): Promise<LocalDns> {
  const queries: { name: string; type: number }[] = [];
  const handle: dns2.DnsHandler = (request, send) => {
    const response = Packet.createResponseFromRequest(request);
    const question = request.questions[0];
    if (!question) return void send(response);
    const name = question.name.toLowerCase().replace(/\.$/, '');
    queries.push({ name, type: question.type });
    const record = zone[name];
    if (!record) {
      response.header.rcode = 3; // NXDOMAIN
      return void send(response);
    }
    const base = { name: question.name, class: Packet.CLASS.IN, ttl: 60 };
    if (question.type === Packet.TYPE.MX) {
      for (const mx of record.MX ?? []) response.answers.push(resource({ ...base, type: Packet.TYPE.MX, ...mx }));
    } else if (question.type === Packet.TYPE.A) {
      for (const address of record.A ?? []) response.answers.push(resource({ ...base, type: Packet.TYPE.A, address }));
    } else if (question.type === Packet.TYPE.CNAME && record.CNAME) {
      response.answers.push(resource({ ...base, type: Packet.TYPE.CNAME, domain: record.CNAME }));
    } else if (question.type === Packet.TYPE.TXT) {
      for (const data of record.TXT ?? []) response.answers.push(resource({ ...base, type: Packet.TYPE.TXT, data }));
    }
    void send(response);
  };
  const { udp, tcp, port } = await listenOnOnePort(handle);
  const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return {
    port,
    server: `127.0.0.1:${port}`,
    resolver,
    zone,
    queries,
    close: async () => {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

/**
 * UDP on a random port, then TCP on the same number (for answers too large for UDP, such as long
 * DKIM keys). The TCP port can already be taken (another test's listener or an outgoing
 * connection's local port), so a taken number is given back and another one tried.
 */
async function listenOnOnePort(handle: dns2.DnsHandler) {
  for (let attempt = 1; ; attempt++) {
    const udp = dns2.createUDPServer(handle);
    await udp.listen(0, '127.0.0.1');
    const port = udp.address().port;
    const tcp = dns2.createTCPServer(handle);
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, '127.0.0.1', () => resolve());
      });
      return { udp, tcp, port };
    } catch (error) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 20) throw error;
    }
  }
}

function resource(fields: Omit<dns2.Packet.Resource, 'toBuffer'>): dns2.Packet.Resource {
  return { ...fields, toBuffer: () => Buffer.alloc(0) };
}
