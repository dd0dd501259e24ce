import { connect } from 'node:net';

/**
 * One Redis command over RESP, for reading what a local LiveKit cluster keeps
 * in its Redis (e.g. `HGETALL room_node_map`: which node hosts each room).
 * Answers a bulk string, an integer, or an array of bulk strings.
 */
export function redisCommand(port: number, ...args: string[]): Promise<string | number | null | (string | null)[]> {
  return new Promise((done, fail) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let buffer = Buffer.alloc(0);
    socket.setTimeout(3000, () => socket.destroy(new Error('redis did not answer')));
    socket.on('error', fail);
    socket.on('connect', () =>
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`),
    );
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const parsed = parse(buffer, 0);
      if (parsed) {
        socket.end();
        if (parsed.value instanceof Error) fail(parsed.value);
        else done(parsed.value as string | number | null | (string | null)[]);
      }
    });
  });
}

type Value = string | number | null | Error | Value[];

/** One RESP value at `at`, and where it ends; undefined while incomplete. */
function parse(buffer: Buffer, at: number): { value: Value; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', at);
  if (lineEnd < 0) return undefined;
  const kind = String.fromCharCode(buffer[at]!);
  const line = buffer.toString('utf8', at + 1, lineEnd);
  switch (kind) {
    case '+':
      return { value: line, end: lineEnd + 2 };
    case '-':
      return { value: new Error(line), end: lineEnd + 2 };
    case ':':
      return { value: Number(line), end: lineEnd + 2 };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: lineEnd + 2 };
      if (buffer.length < lineEnd + 2 + length + 2) return undefined;
      return { value: buffer.toString('utf8', lineEnd + 2, lineEnd + 2 + length), end: lineEnd + 2 + length + 2 };
    }
    case '*': {
      const count = Number(line);
      const items: Value[] = [];
      let end = lineEnd + 2;
      for (let i = 0; i < count; i++) {
        const item = parse(buffer, end);
        if (!item) return undefined;
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      return { value: new Error(`unexpected RESP type ${kind}`), end: lineEnd + 2 };
  }
}

/** Which node (LiveKit's `ND_…` id) hosts each room of a local cluster, from its Redis. */
export async function roomNodes(redisPort: number): Promise<Map<string, string>> {
  const flat = (await redisCommand(redisPort, 'HGETALL', 'room_node_map')) as string[];
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(flat[i]!, flat[i + 1]!);
  return map;
}
