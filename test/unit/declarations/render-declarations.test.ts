import { describe, expect, it } from "vitest";
import { validateDeclarationText } from "../../../src/declarations/index.js";
import { checkRenderedFiles, renderDeclarationFiles, type UserToDeclare } from "../../../src/declarations/render-declarations.js";
import type { UserFields } from "../../../src/model.js";

function user(employeeID: string, overrides: Partial<UserFields> = {}, organizationDisplayName?: string): UserToDeclare {
  return {
    fields: { employeeID, name: `Name ${employeeID}`, email: `${employeeID.toLowerCase()}@example.co.id`, isActive: true, ...overrides },
    ...(organizationDisplayName && { organizationDisplayName }),
  };
}

const options = { groupBy: "organization" as const, schemaRef: "../schemas/users.schema.json" };

/** What the loader reads back from a file, without positions. */
function readBack(name: string, text: string): UserFields[] {
  const { users, diagnostics } = validateDeclarationText(name, text);
  expect(diagnostics).toEqual([]);
  return users.map(({ source: _source, ...fields }) => fields);
}

describe("renderDeclarationFiles", () => {
  const users = [
    user("E2", { organizationSerial: "ORG1", tagSerials: ["T1"] }, "Engineering & Ops"),
    user("E1", { organizationSerial: "ORG1", tagSerials: ["T1"], phone: "0812", username: "e1" }, "Engineering & Ops"),
    user("001", { phone: "6281", email: undefined }),
    user("S1", { organizationSerial: "ORG2", isActive: false, tagSerials: ["A", "B"] }),
  ];

  it("writes one file per organization named after it, sorted, with the modeline first", () => {
    const files = renderDeclarationFiles(users, options);
    expect(files.map((f) => f.name)).toEqual(["engineering-ops.yaml", "no-organization.yaml", "org2.yaml"]);
    for (const file of files) expect(file.text.startsWith("# yaml-language-server: $schema=../schemas/users.schema.json\n")).toBe(true);
    expect(files[0]?.users.map((u) => u.employeeID)).toEqual(["E1", "E2"]);
  });

  it("reads back, through the declarations loader, as exactly the users given", () => {
    const files = renderDeclarationFiles(users, options);
    const back = files.flatMap((f) => readBack(f.name, f.text)).sort((a, b) => (a.employeeID < b.employeeID ? -1 : 1));
    expect(back).toEqual(users.map((u) => u.fields).sort((a, b) => (a.employeeID < b.employeeID ? -1 : 1)));
  });

  it("moves the organization and a tag set every user shares into defaults, and quotes what YAML would read as a number", () => {
    const [engineering, none] = renderDeclarationFiles(users, options);
    expect(engineering?.text).toContain("defaults:\n  organizationSerial: ORG1\n  tagSerials: [T1]\n");
    expect(engineering?.text).not.toMatch(/^ {4}organizationSerial/m);
    expect(none?.text).toContain('employeeID: "001"');
    expect(none?.text).toContain('phone: "6281"');
    expect(none?.text).not.toContain("defaults:");
  });

  it("writes isActive only when false", () => {
    const org2 = renderDeclarationFiles(users, options).find((f) => f.name === "org2.yaml");
    expect(org2?.text).toContain("isActive: false");
    expect(renderDeclarationFiles([users[0] as UserToDeclare], options)[0]?.text).not.toContain("isActive");
  });

  it("keeps the serial in the file name when two organizations have one name", () => {
    const files = renderDeclarationFiles(
      [user("A1", { organizationSerial: "ORGA" }, "Sales"), user("B1", { organizationSerial: "ORGB" }, "Sales")],
      options,
    );
    expect(files.map((f) => f.name)).toEqual(["sales-orga.yaml", "sales-orgb.yaml"]);
  });

  it("--group-by none: one users.yaml, organization per user", () => {
    const files = renderDeclarationFiles(users, { ...options, groupBy: "none" });
    expect(files.map((f) => f.name)).toEqual(["users.yaml"]);
    expect(files[0]?.text).toContain("    organizationSerial: ORG1");
    expect(readBack("users.yaml", files[0]?.text ?? "")).toHaveLength(4);
  });

  it("quotes whatever YAML would read as something else: names, ids and usernames come back as written", () => {
    const names = [
      "yes",
      "No",
      "~",
      "null",
      "- dash",
      "a: b",
      "#hash",
      "O'Brien",
      'Kata "kutip"',
      "0123",
      "1e3",
      "Ñoño Ünal",
      "@at",
      "[x]",
      "{y}",
      "%p",
      "`tick",
      "!bang",
      "&amp",
      "*star",
      "|pipe",
      ">gt",
      "? q",
      "Dua  spasi",
    ];
    const tricky = names.map((name, i) => user(i % 2 ? `${i}` : `0${i}`, { name, ...(i % 3 === 0 && { username: `${i}00` }) }));
    const [file] = renderDeclarationFiles(tricky, options);
    expect(
      readBack(file?.name ?? "", file?.text ?? "")
        .map((u) => u.name)
        .sort(),
    ).toEqual([...names].sort());
  });

  it("writes no file for no users", () => {
    expect(renderDeclarationFiles([], options)).toEqual([]);
  });
});

describe("checkRenderedFiles", () => {
  it("finds nothing wrong with valid users", () => {
    expect(checkRenderedFiles(renderDeclarationFiles([user("E1"), user("E2")], options)).size).toBe(0);
  });

  it("names each user the declarations would refuse, with the field", () => {
    const files = renderDeclarationFiles(
      [user("E1", { phone: "0812-333" }), user("E2"), user("E3", { name: "Trailing " }), user("E4", { email: undefined })],
      { ...options, groupBy: "none" },
    );
    const problems = checkRenderedFiles(files);
    expect([...problems.keys()].sort()).toEqual(["E1", "E3", "E4"]);
    expect(problems.get("E1")?.[0]).toMatchObject({ severity: "error", field: "phone" });
    expect(problems.get("E1")?.[0]?.summary).toMatch(/^RuangKerja user E1 cannot be declared as it is: /);
  });

  it("finds duplicates across files, as plan would", () => {
    const files = renderDeclarationFiles(
      [user("A1", { organizationSerial: "ORGA", username: "budi" }), user("B1", { organizationSerial: "ORGB", username: "BUDI" })],
      options,
    );
    const problems = checkRenderedFiles(files);
    expect(problems.size).toBeGreaterThan(0);
    expect([...problems.values()].flat().some((d) => /username/.test(d.summary))).toBe(true);
  });
});
