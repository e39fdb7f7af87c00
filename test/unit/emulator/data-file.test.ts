import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDataFile } from "../../../src/emulator/data-file.js";
import { startEmulator } from "../../../src/emulator/index.js";
import { SEED_CREATE_ITEM, SERIAL_PATTERN, startTestEmulator, user } from "./helpers.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "emulator-data-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readUsers(path: string): Promise<unknown[]> {
  const content = JSON.parse(await readFile(path, "utf8"));
  expect(content.formatVersion).toBe(1);
  return content.users;
}

describe("dataFile", () => {
  it("survives a restart: users, serials, order, renames and uniqueness", async () => {
    const dataFile = join(dir, "nested", "round-trip.json");
    const first = await startTestEmulator({ dataFile });
    await first.call("POST", "/ruangkerja/users", SEED_CREATE_ITEM);
    await first.call("POST", "/ruangkerja/users/create-bulk", { items: [user("R2", { username: "artwo" }), user("R3")] });
    await first.call("POST", "/ruangkerja/users/update-bulk", {
      items: [{ employeeID: "R2", newEmployeeID: "R2B", name: "Renamed", isActive: false, tagSerials: ["T1"] }],
    });
    // Written before the reply: no need to close first.
    const before = first.emulator.users();
    expect(await readUsers(dataFile)).toEqual(before);
    await first.emulator.close();

    const second = await startTestEmulator({ dataFile });
    try {
      expect(second.emulator.users()).toEqual(before);
      expect(second.emulator.users().map((u) => u.employeeID)).toEqual(["EMPLY001", "R2B", "R3"]);
      const view = await second.call("GET", "/ruangkerja/users/R2B");
      expect(view.body.data).toMatchObject({ name: "Renamed", isActive: false, username: "artwo", tags: [{ serial: "T1", name: "T1" }] });
      const again = await second.call("POST", "/ruangkerja/users", user("R9", { username: "ARTWO" }));
      expect(again.body.errorCode).toBe(10103);
      const sameId = await second.call("POST", "/ruangkerja/users", user("R3", { email: "r3b@example.com" }));
      expect(sameId.body.errorCode).toBe(10101);
    } finally {
      await second.emulator.close();
    }
  });

  it("leaves no temporary files and holds every acknowledged change under concurrent writes", async () => {
    const dataFile = join(dir, "concurrent.json");
    const t = await startTestEmulator({ dataFile });
    try {
      const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => t.call("POST", "/ruangkerja/users", user(`K${i}`))));
      expect(replies.every((r) => r.status === 200)).toBe(true);
      expect(await readUsers(dataFile)).toHaveLength(200);
    } finally {
      await t.emulator.close();
    }
    expect((await readdir(dir)).filter((name) => name.includes("concurrent"))).toEqual(["concurrent.json"]);
  });

  it("does not write on reads, and writes the empty list on reset", async () => {
    const dataFile = join(dir, "reads.json");
    const t = await startTestEmulator({ dataFile });
    try {
      await t.call("GET", "/ruangkerja/users");
      await t.call("POST", "/ruangkerja/users", { employeeID: "A", name: "A", isActive: true }); // refused: no contact
      await expect(readFile(dataFile, "utf8")).rejects.toMatchObject({ code: "ENOENT" });
      await t.call("POST", "/ruangkerja/users", user("A"));
      expect(await readUsers(dataFile)).toHaveLength(1);
      await t.reset();
      expect(await readUsers(dataFile)).toEqual([]);
    } finally {
      await t.emulator.close();
    }
  });

  it("loads a hand-written file, drawing serials it lacks, and leaves the file alone until a change", async () => {
    const dataFile = join(dir, "seeded.json");
    const text = JSON.stringify({
      formatVersion: 1,
      users: [
        { employeeID: "H1", name: "Hand One", phone: "0811", isActive: true },
        {
          employeeID: "H2",
          name: "Hand Two",
          email: "h2@example.com",
          isActive: false,
          tagSerials: ["X", "X"],
          serial: "KEEPTHISSERIAL01",
        },
      ],
    });
    await writeFile(dataFile, text);
    const t = await startTestEmulator({ dataFile });
    try {
      const [h1, h2] = t.emulator.users();
      expect(h1).toMatchObject({ employeeID: "H1", username: null, email: null, tagSerials: [], organizationSerial: null });
      expect(h1?.serial).toMatch(SERIAL_PATTERN);
      expect(h2).toMatchObject({ serial: "KEEPTHISSERIAL01", tagSerials: ["X"] });
      expect(await readFile(dataFile, "utf8")).toBe(text);
    } finally {
      await t.emulator.close();
    }
  });

  it("refuses to start on a file it cannot trust, naming the file and the user", async () => {
    const cases: [string, RegExp][] = [
      ["{", /not valid JSON/],
      ['{"users": []}', /must be \{"formatVersion": 1/],
      ['{"formatVersion":1,"users":[{"employeeID":"A-1","name":"x","phone":"1","isActive":true}]}', /users\[0\]: employeeID: must be/],
      ['{"formatVersion":1,"users":[{"employeeID":"A","name":"x","isActive":true}]}', /users\[0\]: email or phone/],
      [
        '{"formatVersion":1,"users":[{"employeeID":"A","name":"x","phone":"1","isActive":true},{"employeeID":"A","name":"y","phone":"2","isActive":true}]}',
        /user "A": employeeID is used by an earlier user/,
      ],
    ];
    for (const [index, [text, message]] of cases.entries()) {
      const dataFile = join(dir, `bad-${index}.json`);
      await writeFile(dataFile, text);
      await expect(startEmulator({ dataFile })).rejects.toThrow(message);
      await expect(startEmulator({ dataFile })).rejects.toThrow(dataFile);
    }
  });

  it("refuses a password in the file, even a null one", () => {
    const text = (extra: string) => `{"formatVersion":1,"users":[{"employeeID":"A","name":"x","phone":"1","isActive":true${extra}}]}`;
    expect(parseDataFile(text(""), "f")).toHaveLength(1);
    expect(() => parseDataFile(text(',"password":null'), "f")).toThrow("f: users[0].password: passwords do not belong in the data file");
  });
});
