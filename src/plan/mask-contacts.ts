/**
 * `--mask-contacts`: a plan posted to a public repository must not publish people's e-mail
 * addresses and phone numbers, yet a reviewer still needs to see that one changed and roughly to
 * what. So the first character and domain of an address and the prefix and last digits of a
 * number stay. Kept apart from the renderer because it decides what is private, not how it looks.
 */
import type { UserField } from "../model.js";
import type { Drift } from "../refresh/detect-drift.js";
import type { FieldValue, Plan } from "./plan-types.js";

export interface Mask {
  /** A field's value: an e-mail or phone field is masked whole. */
  value(field: UserField, text: string): string;
  /** Free text (names, warnings): e-mail addresses in it, and the plan's phone numbers. */
  text(text: string): string;
}

export const NO_MASK: Mask = { value: (_field, text) => text, text: (text) => text };

const EMAIL_IN_TEXT = /[^\s@"'`<>()[\]{},;:|\\]+@[^\s@"'`<>()[\]{},;:|\\]+/g;
const DIGITS_IN_TEXT = /(?<![A-Za-z0-9+])\+?\d{5,}(?![A-Za-z0-9])/g;

/**
 * Any e-mail-shaped text is masked. A run of digits is masked only when it is one of the phone
 * numbers in the plan or drift: employee IDs may be digits too.
 */
export function contactMask(plan: Plan, drift: Drift | undefined): Mask {
  const phones = new Set<string>();
  // Kept without the leading +, so `+62…` in a sentence matches `62…` in a field and back.
  const bare = (phone: string) => phone.replace(/^\+/, "");
  const add = (...values: (FieldValue | undefined)[]) => {
    for (const v of values) if (typeof v === "string") phones.add(bare(v));
  };
  for (const action of plan.actions) {
    add(action.after.phone, action.before?.phone);
    for (const ch of action.changes) if (ch.field === "phone") add(ch.before, ch.after);
  }
  for (const user of drift?.users ?? []) for (const ch of user.changes) if (ch.field === "phone") add(ch.before, ch.after);
  const text = (t: string) =>
    t.replace(EMAIL_IN_TEXT, (email) => maskEmail(email)).replace(DIGITS_IN_TEXT, (run) => (phones.has(bare(run)) ? maskPhone(run) : run));
  return { text, value: (field, t) => (field === "email" ? maskEmail(t) : field === "phone" ? maskPhone(t) : text(t)) };
}

/** `budi.santoso@contoh.co.id` → `b***@contoh.co.id`: the first character and the domain stay. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0) return "***";
  return `${String.fromCodePoint(email.codePointAt(0) as number)}***${email.slice(at)}`;
}

/** `6281234567855` → `6281*******55`: the country and operator prefix and the last two digits stay. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, "").length;
  const head = digits >= 10 ? 4 : digits >= 6 ? 2 : 0;
  const tail = digits >= 6 ? 2 : 0;
  let seen = 0;
  return phone.replace(/\d/g, (d) => {
    const i = seen++;
    return i < head || i >= digits - tail ? d : "*";
  });
}
