/**
 * The floor for apply: a bare client on node:http with keep-alive that sends the same
 * create-bulk bodies at the same parallelism, and does nothing else (no plan, no state).
 * Usage: node bare-client.js <bodies.json> <parallelism>, with RUANGKERJA_API_URL and RUANGKERJA_TOKEN set.
 */
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";

function post(agent: Agent, url: URL, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          Authorization: token,
          Accept: "application/json",
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          // Parsed, as any client must, to learn each item's serial.
          const reply = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { data?: { successItems?: unknown[] } };
          resolve(reply.data?.successItems?.length ?? 0);
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    // Bounded in time as in count: a server that stops answering fails the run instead of holding it.
    req.setTimeout(60_000, () => req.destroy(new Error("no reply within 60 s")));
    req.end(body);
  });
}

async function main(): Promise<void> {
  const [bodiesPath, parallelismText] = process.argv.slice(2);
  const base = process.env.RUANGKERJA_API_URL;
  const token = process.env.RUANGKERJA_TOKEN;
  if (!bodiesPath || !base || !token)
    throw new Error("usage: bare-client.js <bodies.json> <parallelism> (RUANGKERJA_API_URL, RUANGKERJA_TOKEN)");
  const bodies = JSON.parse(readFileSync(bodiesPath, "utf8")) as unknown[][];
  const parallelism = Number(parallelismText ?? 4);
  const url = new URL("/ruangkerja/users/create-bulk", base);
  const agent = new Agent({ keepAlive: true, maxSockets: parallelism });
  let next = 0;
  let created = 0;
  await Promise.all(
    Array.from({ length: parallelism }, async () => {
      while (next < bodies.length) {
        const items = bodies[next++];
        const landed = await post(agent, url, token, JSON.stringify({ items }));
        created += landed;
      }
    }),
  );
  agent.destroy();
  process.stdout.write(`${JSON.stringify({ requests: bodies.length, created })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
