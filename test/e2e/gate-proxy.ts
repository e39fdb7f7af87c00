/**
 * A loopback HTTP proxy in front of the emulator that forwards the first `allow` requests and
 * holds every later one until open() is called: a run can be stopped mid-apply at a known point
 * (its next request waiting here), with nothing sent that the test did not let through. A held
 * request whose client went away (a killed run) is never forwarded. It also records what it
 * forwards, so a test can read exactly what a run sent.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface GateProxy {
  readonly url: string;
  /** Requests passed on so far. */
  forwarded(): number;
  /** Every request passed on, in order: method, path and body as sent (to compare what a run sent with what it printed). */
  sent(): readonly SentRequest[];
  /** Requests waiting at the gate. */
  held(): number;
  /** Lets every held and later request through. */
  open(): void;
  close(): Promise<void>;
}

export interface SentRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
}

interface Waiting {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly body: Buffer;
}

export async function startGateProxy(target: string, allow: number): Promise<GateProxy> {
  const targetUrl = new URL(target);
  let forwarded = 0;
  let opened = false;
  const sent: SentRequest[] = [];
  const waiting: Waiting[] = [];

  const forward = ({ req, res, body }: Waiting) => {
    if (res.destroyed || req.socket.destroyed) return;
    forwarded += 1;
    sent.push({ method: req.method ?? "", path: req.url ?? "", body: body.toString("utf8") });
    const upstream = request(
      { host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    upstream.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const item = { req, res, body: Buffer.concat(chunks) };
      if (opened || forwarded < allow) forward(item);
      else waiting.push(item);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded: () => forwarded,
    sent: () => [...sent],
    held: () => waiting.filter((w) => !w.res.destroyed && !w.req.socket.destroyed).length,
    open: () => {
      opened = true;
      for (const item of waiting.splice(0)) forward(item);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
