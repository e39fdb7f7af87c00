/**
 * The trivial HTTP sink: the floor under the emulator. A node:http server on 127.0.0.1 that reads
 * each body, JSON.parses it and answers every create-bulk item as created, with the smallest reply
 * the CLI accepts (`successItems: [{payload: {employeeID}, response: {serial}}]`, no echo of the
 * rest of the item, no validation, no store). It also answers what else a client may send:
 * POST /oauth/token (a token), GET of one user (404 USER_NOT_FOUND) and of the list (empty), and
 * the emulator's /_emulator/stats and /_emulator/reset, so the bench drives it like the emulator.
 * Usage: node sink.js; prints its URL as the first line of stdout; SIGINT or SIGTERM stops it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

let requests: Record<string, number> = {};
let serials = 0;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": text.length });
  res.end(text);
}

function createBulk(body: Buffer): unknown {
  const { items } = JSON.parse(body.toString("utf8")) as { items: { employeeID: string }[] };
  const successItems = items.map((item) => ({
    payload: { employeeID: item.employeeID },
    response: { serial: `SINK${String(++serials).padStart(12, "0")}` },
  }));
  return { data: { failedItems: [], successItems }, status: "success", message: "success" };
}

function answer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const path = (req.url ?? "/").split("?")[0] as string;
  const route = `${req.method} ${path.startsWith("/ruangkerja/users/") && !path.endsWith("-bulk") ? "/ruangkerja/users/:id" : path}`;
  requests[route] = (requests[route] ?? 0) + 1;
  switch (route) {
    case "POST /ruangkerja/users/create-bulk":
      // Counted under the emulator's name for it, which the bench's checks read.
      requests["create-bulk"] = (requests["create-bulk"] ?? 0) + 1;
      return send(res, 200, createBulk(body));
    case "POST /oauth/token":
      return send(res, 200, { status: "success", message: "Success", data: { accessToken: "sink-token", expiresIn: "43199" } });
    case "GET /ruangkerja/users/:id":
      return send(res, 404, { errorCode: 10104, message: "USER_NOT_FOUND", detail: "the sink stores nothing" });
    case "GET /ruangkerja/users":
      return send(res, 200, { status: "success", message: "Success", data: { currentPage: 1, totalItems: 0, totalPage: 0, items: [] } });
    case "GET /_emulator/stats":
      return send(res, 200, { requests });
    case "POST /_emulator/reset":
      requests = {};
      return send(res, 200, { status: "success", message: "Success" });
    default:
      return send(res, 404, { errorCode: 40401, message: "ROUTE_NOT_FOUND", detail: `the sink does not answer ${route}` });
  }
}

const server = createServer({ noDelay: true }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    try {
      answer(req, res, Buffer.concat(chunks));
    } catch (error) {
      send(res, 500, { errorCode: 50000, message: "INTERNAL_ERROR", detail: error instanceof Error ? error.message : String(error) });
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
  });
}
