import { describe, expect, it } from "vitest";
import { maskEmail, maskPhone } from "../../../src/plan/mask-contacts.js";
import { planChanges } from "../../../src/plan/plan-changes.js";
import type { Plan } from "../../../src/plan/plan-types.js";
import { renderPlanMarkdown } from "../../../src/plan/render-markdown.js";
import type { Drift } from "../../../src/refresh/detect-drift.js";
import { applied, desired, stateOf } from "../../builders.js";

describe("maskContacts", () => {
  const plan = (): Plan => {
    const base = planChanges(
      [
        desired("A1", { email: "budi.santoso@contoh.co.id", phone: "6281234567855" }),
        desired("B2", { email: "sari.baru@contoh.co.id", phone: "+6281299990000", name: "Sari (sari@pribadi.id)" }),
      ],
      stateOf(applied("B2", { email: "sari.lama@contoh.co.id", phone: "+6281211110000" }), applied("GONE", { phone: "6285700001111" })),
    );
    return {
      ...base,
      warnings: [...base.warnings, { severity: "warning", summary: "call 6281211110000 or +6285700001111; employee 123456 stays" }],
    };
  };
  const drift: Drift = {
    checked: 2,
    users: [
      { kind: "changed", employeeID: "B2", name: "Sari", changes: [{ field: "phone", before: "6281200000000", after: "6281233333333" }] },
    ],
  };
  const contacts = [
    "budi.santoso@",
    "sari.baru@",
    "sari.lama@",
    "sari@pribadi",
    "6281234567855",
    "6281299990000",
    "6281211110000",
    "6285700001111",
    "6281200000000",
    "6281233333333",
  ];

  it("masks e-mail addresses and phone numbers in values, names, warnings and drift", () => {
    const md = renderPlanMarkdown(plan(), { maskContacts: true, drift });
    for (const contact of contacts) expect(md).not.toContain(contact);
    expect(md).toContain("| `A1` | `Name A1` | email: `b***@contoh.co.id`<br>phone: `6281*******55`<br>isActive: `true` |");
    expect(md).toContain(
      "| `B2` | `Sari (s***@pribadi.id)` | name: `Name B2` → `Sari (s***@pribadi.id)`<br>email: `s***@contoh.co.id` → `s***@contoh.co.id` *(resets the password)*<br>phone: `+6281*******00` → `+6281*******00` |",
    );
    expect(md).toContain('- the e-mail of B2 changes from `"s***@contoh.co.id"` to `"s***@contoh.co.id"`: RuangKerja resets');
    expect(md).toContain("- call 6281\\*\\*\\*\\*\\*\\*\\*00 or +6285\\*\\*\\*\\*\\*\\*\\*11; employee 123456 stays");
    expect(md).toContain("phone: `6281*******00` → `6281*******33`");
    // Masked or not, nothing outside a code span holds an @ that could mention someone.
    expect(md.replace(/(`+)[\s\S]*?\1/g, "")).not.toContain("@");
  });

  it("is off by default: the values are whole", () => {
    const md = renderPlanMarkdown(plan(), { drift });
    for (const contact of contacts) expect(md).toContain(contact);
  });

  it("masks an e-mail to its first character and domain, a phone to its prefix and last two digits", () => {
    expect(maskEmail("budi.santoso@contoh.co.id")).toBe("b***@contoh.co.id");
    expect(maskEmail("b@contoh.co.id")).toBe("b***@contoh.co.id");
    expect(maskEmail("not-an-address")).toBe("***");
    expect(maskPhone("628123456755")).toBe("6281******55");
    expect(maskPhone("+6281122334455")).toBe("+6281*******55");
    expect(maskPhone("1234567")).toBe("12***67");
    expect(maskPhone("1234")).toBe("****");
  });
});
