import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/errors.js";
import { openStateStore } from "../../../src/state/open-state-store.js";
import { PostgresStateStore } from "../../../src/state/postgres-store.js";
import { isPostgresUrl, parsePostgresUrl, redactSecrets } from "../../../src/state/postgres-url.js";
import { FileStateStore } from "../../../src/state/state-file.js";

describe("openStateStore", () => {
  it("opens a file store for a path and a PostgreSQL store for postgres:// and postgresql:// URLs", () => {
    expect(openStateStore(".ruangkerja/state.json")).toBeInstanceOf(FileStateStore);
    expect(openStateStore("postgres-notes/state.json")).toBeInstanceOf(FileStateStore);
    const pg = openStateStore("postgresql://app:s3cret-pw@db.example.com:6543/ops?sslmode=verify-full", { workspace: "acme-prod" });
    expect(pg).toBeInstanceOf(PostgresStateStore);
    expect(pg.location).toBe('postgresql://app@db.example.com:6543/ops (workspace "acme-prod")');
    expect(openStateStore("POSTGRES://db/x").location).toBe('postgres://db/x (workspace "default")');
  });

  it("refuses a workspace for a state file, and workspace names that are not plain", () => {
    expect(() => openStateStore("state.json", { workspace: "prod" })).toThrow(ConfigError);
    expect(() => openStateStore("state.json", { workspace: "prod" })).toThrow(/needs a PostgreSQL state/);
    for (const bad of ["", "-x", "a b", "a/b", "x".repeat(64), "é"]) {
      expect(() => openStateStore("postgres://db/x", { workspace: bad }), bad).toThrow(/workspace name/);
    }
    expect(openStateStore("postgres://db/x", { workspace: "Acme_prod.2-eu" }).location).toContain('"Acme_prod.2-eu"');
  });

  it("refuses a URL of any other scheme (a typo must not become a local folder), without echoing it", () => {
    for (const location of ["postgress://u:hunter2@db/x", "mysql://u:hunter2@db/x", "s3://bucket/state.json"]) {
      expect(() => openStateStore(location), location).toThrow(/is not supported: use a file path, or a postgres:\/\//);
      expect(() => openStateStore(location), location).not.toThrow(/hunter2|bucket/);
    }
  });

  it("refuses postgres: with one slash rather than make it a folder, without echoing it", () => {
    const attempt = () => openStateStore("postgres:/ops:Secr3t@db.internal/prod");
    expect(attempt).toThrow(ConfigError);
    expect(attempt).not.toThrow(/Secr3t/);
  });

  it("refuses a URL whose unencoded password would be read as a path, without echoing it", () => {
    for (const location of ["postgres://u:1234/S3cr3t@127.0.0.1/x", "postgres://ops:2024?Spring@db/x", "postgres://ops:2024#Spring@db/x"]) {
      const attempt = () => openStateStore(location);
      expect(attempt, location).toThrow(/ambiguous/);
      expect(attempt, location).not.toThrow(/S3cr3t|Spring/);
    }
  });

  it("reports a connection setting the driver cannot use (a missing CA file) as a state error, without the password", async () => {
    const store = openStateStore("postgres://u:pw9secret@127.0.0.1:1/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem");
    const locking = store.lock("apply");
    await expect(locking).rejects.toThrow(/cannot lock the state at postgres:\/\/u@127\.0\.0\.1:1\/db .*ca\.pem/);
    await expect(locking).rejects.not.toThrow(/pw9secret/);
  });

  it("refuses an unparseable URL without echoing it", () => {
    const attempt = () => openStateStore("postgres://user:pa ss@[bad/db");
    expect(attempt).toThrow(ConfigError);
    expect(attempt).not.toThrow(/pa ss/);
  });
});

describe("PostgreSQL URLs", () => {
  it("are recognised by their scheme only", () => {
    expect(isPostgresUrl("postgres://h/db")).toBe(true);
    expect(isPostgresUrl("postgresql://h/db")).toBe(true);
    expect(isPostgresUrl("postgres:db")).toBe(false);
    expect(isPostgresUrl("./postgres://x")).toBe(false);
  });

  it("are shown without the password or the query, and every form of the password is redacted", () => {
    const url = parsePostgresUrl("postgres://ops:p%40ss%2Fw0rd@127.0.0.1:5432/state?sslmode=require&password=other-secret");
    expect(url.display).toBe("postgres://ops@127.0.0.1:5432/state");
    expect(redactSecrets("a p@ss/w0rd b p%40ss%2Fw0rd c other-secret", url.secrets)).toBe("a *** b *** c ***");
    expect(parsePostgresUrl("postgres:///state?host=/run/postgresql").display).toBe("postgres:///state");
  });
});
