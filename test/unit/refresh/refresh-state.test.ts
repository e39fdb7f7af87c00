import { describe, expect, it } from "vitest";
import { RuangkerjaClient } from "../../../src/api/client.js";
import type { UserPage, UserView } from "../../../src/api/types.js";
import { ApiError } from "../../../src/errors.js";
import { MAX_PAGES, readAllUsers, readUsersById, type UserReader } from "../../../src/refresh/read-users.js";
import { refreshState } from "../../../src/refresh/refresh-state.js";
import { newStateDocument, type StateDocument } from "../../../src/state/state-document.js";
import { applied, stateOf } from "../../builders.js";

function view(employeeID: string, overrides: Partial<UserView> = {}): UserView {
  return {
    employeeID,
    name: `Name ${employeeID}`,
    username: null,
    email: `${employeeID.toLowerCase()}@example.co.id`,
    phone: null,
    isActive: true,
    organizationLevelSerial: null,
    tags: [],
    ...overrides,
  };
}

/** An in-memory RuangKerja that pages like the API and counts the calls. */
class FakeReader implements UserReader {
  readonly calls: string[] = [];
  constructor(
    readonly users: UserView[],
    private readonly pageOverride: Partial<UserPage> = {},
  ) {}

  async getUser(employeeID: string): Promise<UserView | undefined> {
    this.calls.push(`get ${employeeID}`);
    return this.users.find((u) => u.employeeID === employeeID);
  }

  async listUsers(page: number, pageSize = 100): Promise<UserPage> {
    this.calls.push(`list ${page}`);
    const items = this.users.slice((page - 1) * pageSize, page * pageSize);
    return {
      currentPage: page,
      totalItems: this.users.length,
      totalPage: Math.ceil(this.users.length / pageSize),
      items,
      ...this.pageOverride,
    };
  }
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, "0")}`);

function stateWith(employeeIDs: string[]): StateDocument {
  return { ...newStateDocument(), serial: 7, users: stateOf(...employeeIDs.map((id) => applied(id))) };
}

describe("refreshState", () => {
  it("reads nothing for an empty state", async () => {
    const reader = new FakeReader(ids("E", 5).map((id) => view(id)));
    const result = await refreshState(newStateDocument(), reader);
    expect(reader.calls).toEqual([]);
    expect(result.drift).toEqual({ users: [], checked: 0 });
  });

  it("few state users in a large company: the first page, then one GET per user not on it", async () => {
    const all = ids("E", 1000).map((id) => view(id));
    const reader = new FakeReader(all);
    const result = await refreshState(stateWith(["E0005", "E0500", "E0999"]), reader);
    expect(reader.calls.sort()).toEqual(["get E0500", "get E0999", "list 1"]);
    expect(result.drift.checked).toBe(3);
    expect(result.drift.users).toEqual([]);
  });

  it("many state users: every page instead of a GET each; a user the whole list did not show is missing, with no GET", async () => {
    const all = ids("E", 250).map((id) => view(id));
    const reader = new FakeReader(all);
    const result = await refreshState(stateWith([...ids("E", 250), "GONE1"]), reader);
    expect(reader.calls).toEqual(["list 1", "list 2", "list 3"]);
    expect(result.drift.users).toEqual([{ kind: "missing", employeeID: "GONE1", name: "Name GONE1", changes: [] }]);
    expect(result.state.users.has("GONE1")).toBe(false);
    expect(result.state.users.size).toBe(250);
  });

  it("an API that lost its users (a new tenant, a restored backup): one list page, not a GET per state user", async () => {
    const reader = new FakeReader([]);
    const result = await refreshState(stateWith(ids("E", 300)), reader);
    expect(reader.calls).toEqual(["list 1"]);
    expect(result.drift.checked).toBe(300);
    expect(result.drift.users.every((u) => u.kind === "missing")).toBe(true);
    expect(result.state.users.size).toBe(0);
  });

  it("a list that changed while it was read (totalItems moved): the users it did not show are looked up by GET", async () => {
    const all = ids("E", 250).map((id) => view(id));
    const reader = new FakeReader(all);
    const listUsers = reader.listUsers.bind(reader);
    // A user added to RuangKerja between page 1 and page 2.
    reader.listUsers = async (page, size) => ({ ...(await listUsers(page, size)), ...(page > 1 ? { totalItems: 251 } : {}) });
    const result = await refreshState(stateWith([...ids("E", 250), "GONE1"]), reader);
    expect(reader.calls).toEqual(["list 1", "list 2", "list 3", "get GONE1"]);
    expect(result.drift.users.map((u) => [u.kind, u.employeeID])).toEqual([["missing", "GONE1"]]);
  });

  it("a list without a usable totalItems proves nothing: the users it did not show are looked up by GET", async () => {
    const reader = new FakeReader([view("E1")], { totalItems: Number.NaN });
    await refreshState(stateWith(["E1", "GONE1", "GONE2"]), reader);
    expect(reader.calls).toEqual(["list 1", "get GONE1", "get GONE2"]);
  });

  it("with pageParallelism reads the same pages, at most that many in flight, and concludes the same", async () => {
    const users = ids("E", 1000).map((id, i) => view(id, i === 500 ? { phone: "62811" } : {}));
    let inFlight = 0;
    let most = 0;
    const reader = new FakeReader(users);
    const slow: UserReader = {
      getUser: (id) => reader.getUser(id),
      listUsers: async (page, pageSize) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return reader.listUsers(page, pageSize);
      },
    };
    const state = stateWith([...ids("E", 1000), "GONE1"]);
    const sequential = await refreshState(state, new FakeReader(users));
    const parallel = await refreshState(state, slow, { pageParallelism: 4 });
    expect(most).toBe(4);
    expect([...reader.calls].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `list ${i + 1}`).sort());
    expect(parallel.drift).toEqual(sequential.drift);
    expect(parallel.drift.users.map((u) => [u.kind, u.employeeID])).toEqual([
      ["changed", "E0500"],
      ["missing", "GONE1"],
    ]);
  });

  it("with pageParallelism stops starting pages after one fails, and fails", async () => {
    const reader = new FakeReader(ids("E", 1000).map((id) => view(id)));
    const failing: UserReader = {
      getUser: (id) => reader.getUser(id),
      listUsers: (page, pageSize) =>
        page === 3
          ? Promise.reject(new ApiError("GET /ruangkerja/users: HTTP 500", { request: { method: "GET", path: "/ruangkerja/users" } }))
          : reader.listUsers(page, pageSize),
    };
    await expect(refreshState(stateWith(ids("E", 1000)), failing, { pageParallelism: 2 })).rejects.toThrow(/HTTP 500/);
    expect(reader.calls.length).toBeLessThan(10);
  });

  it("keeps lineage and serial: the refreshed state is the same history, not yet written", async () => {
    const state = stateWith(["E0001"]);
    const reader = new FakeReader([view("E0001", { phone: "62811" })]);
    const result = await refreshState(state, reader);
    expect(result.state.lineage).toBe(state.lineage);
    expect(result.state.serial).toBe(7);
    expect(result.state.users.get("E0001")?.phone).toBe("62811");
    expect(result.drift.users[0]?.changes).toEqual([{ field: "phone", before: null, after: "62811" }]);
  });
});

describe("readAllUsers", () => {
  it("reads pages of 100 until totalPage", async () => {
    const reader = new FakeReader(ids("E", 201).map((id) => view(id)));
    const users = await readAllUsers(reader);
    expect(reader.calls).toEqual(["list 1", "list 2", "list 3"]);
    expect(users).toHaveLength(201);
    expect(users[200]?.fields.employeeID).toBe("E0200");
  });

  it("stops at an empty page even when totalPage says more", async () => {
    const reader = new FakeReader(
      ids("E", 150).map((id) => view(id)),
      { totalPage: 50 },
    );
    await readAllUsers(reader);
    expect(reader.calls).toEqual(["list 1", "list 2", "list 3"]);
  });

  it("refuses a totalPage beyond MAX_PAGES instead of looping on", async () => {
    const reader = new FakeReader([view("E1")], { totalPage: MAX_PAGES + 1 });
    await expect(readAllUsers(reader)).rejects.toThrow(/totalPage is 10001/);
    expect(reader.calls).toEqual(["list 1"]);
  });

  it("keeps a user listed twice (the list shifted) once", async () => {
    const reader = new FakeReader([view("E1"), view("E1", { name: "Later" })], { totalPage: 1 });
    const users = await readAllUsers(reader);
    expect(users.map((u) => u.fields.name)).toEqual(["Later"]);
  });

  it("keeps the organization's display name for export, and fails on a malformed view", async () => {
    const reader = new FakeReader([view("E1", { organizationLevelSerial: "ORG1", organizationDisplayName: "Engineering" })]);
    expect((await readAllUsers(reader))[0]).toEqual({
      fields: { employeeID: "E1", name: "Name E1", email: "e1@example.co.id", isActive: true, organizationSerial: "ORG1" },
      organizationDisplayName: "Engineering",
    });
    const bad = new FakeReader([{ ...view("E1"), isActive: "yes" } as unknown as UserView]);
    await expect(readAllUsers(bad)).rejects.toBeInstanceOf(ApiError);
  });
});

describe("readUsersById", () => {
  it("answers undefined for a user the API does not know", async () => {
    const found = await readUsersById(new FakeReader([view("E1")]), ["E1", "E2"]);
    expect(found.get("E1")?.fields.employeeID).toBe("E1");
    expect(found.has("E2")).toBe(true);
    expect(found.get("E2")).toBeUndefined();
  });

  it("a 404 without USER_NOT_FOUND (a wrong base URL, a proxy) is an error, not an absent user", async () => {
    const answering = (status: number, body: string, type = "application/json") =>
      new RuangkerjaClient({
        baseUrl: "http://127.0.0.1:9",
        token: "t",
        maxAttempts: 1,
        fetch: async () => new Response(body, { status, headers: { "Content-Type": type } }),
      });
    const notFound = JSON.stringify({ status: "error", errorCode: 10104, message: "USER_NOT_FOUND", detail: "user not found" });
    expect((await readUsersById(answering(404, notFound), ["E1"])).get("E1")).toBeUndefined();
    await expect(readUsersById(answering(404, "<html>Not Found</html>", "text/html"), ["E1"])).rejects.toThrow(
      "GET /ruangkerja/users/E1 failed: HTTP 404",
    );
    const route = JSON.stringify({ status: "error", errorCode: 40401, message: "ROUTE_NOT_FOUND", detail: "no route" });
    await expect(readUsersById(answering(404, route), ["E1"])).rejects.toThrow("ROUTE_NOT_FOUND (40401)");
  });

  it("refuses a reply for another employeeID (IDs are case-sensitive)", async () => {
    const reader: UserReader = {
      getUser: async () => view("EMP1"),
      listUsers: async () => ({ currentPage: 1, totalItems: 0, totalPage: 0, items: [] }),
    };
    await expect(readUsersById(reader, ["emp1"])).rejects.toThrow(/returned user EMP1/);
  });
});
