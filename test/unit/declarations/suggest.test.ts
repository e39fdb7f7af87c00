import { describe, expect, it } from "vitest";
import { isPasswordField, suggestField } from "../../../src/declarations/suggest.js";
import { USER_FIELDS as MODEL_FIELDS } from "../../../src/model.js";

const USER_FIELDS = [...MODEL_FIELDS, "previousEmployeeIDs"];

describe("suggestField", () => {
  it.each([
    ["employeeId", "employeeID"],
    ["employee_id", "employeeID"],
    ["EmployeeID", "employeeID"],
    ["emial", "email"],
    ["e-mail", "email"],
    ["phoneNumber", "phone"],
    ["no_hp", "phone"],
    ["tags", "tagSerials"],
    ["tagSerial", "tagSerials"],
    ["organizationSerail", "organizationSerial"],
    ["org", "organizationSerial"],
    ["isactive", "isActive"],
    ["active", "isActive"],
    ["nama", "name"],
    ["usernmae", "username"],
    ["previousEmployeeID", "previousEmployeeIDs"],
  ])("%s → %s", (wrong, right) => {
    expect(suggestField(wrong, USER_FIELDS)).toBe(right);
  });

  it.each(["shoeSize", "x", "", "department42x"])("offers nothing for %j", (wrong) => {
    expect(suggestField(wrong, USER_FIELDS)).toBeUndefined();
  });

  it("offers only names allowed at that level", () => {
    expect(suggestField("tags", ["isActive", "organizationSerial"])).toBeUndefined();
    expect(suggestField("user", ["defaults", "users"])).toBe("users");
  });
});

describe("isPasswordField", () => {
  it.each(["password", "Password", "initial_password", "passwd", "pwd", "kata_sandi"])("%s is a password", (name) => {
    expect(isPasswordField(name)).toBe(true);
  });

  it.each(["passport", "phone", "username"])("%s is not", (name) => {
    expect(isPasswordField(name)).toBe(false);
  });
});
