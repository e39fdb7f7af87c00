/** "Did you mean" for field names, and the words that mean "password" in the files we read. */

/**
 * Names people reach for that are too far from ours for spelling distance to catch,
 * including the Indonesian ones an HR team in Jakarta writes without thinking.
 */
const ALIASES: Readonly<Record<string, string>> = {
  tags: "tagSerials",
  tag: "tagSerials",
  tagserial: "tagSerials",
  tagids: "tagSerials",
  org: "organizationSerial",
  organization: "organizationSerial",
  organisation: "organizationSerial",
  organizationid: "organizationSerial",
  orgserial: "organizationSerial",
  department: "organizationSerial",
  divisi: "organizationSerial",
  active: "isActive",
  enabled: "isActive",
  aktif: "isActive",
  status: "isActive",
  id: "employeeID",
  empid: "employeeID",
  employee: "employeeID",
  employeenumber: "employeeID",
  nik: "employeeID",
  nip: "employeeID",
  fullname: "name",
  nama: "name",
  namalengkap: "name",
  mail: "email",
  emailaddress: "email",
  surel: "email",
  phonenumber: "phone",
  mobile: "phone",
  telephone: "phone",
  telepon: "phone",
  hp: "phone",
  nohp: "phone",
  whatsapp: "phone",
  wa: "phone",
  login: "username",
  user: "users",
  employees: "users",
  karyawan: "users",
  default: "defaults",
  previousids: "previousEmployeeIDs",
  oldemployeeids: "previousEmployeeIDs",
  previousemployeeid: "previousEmployeeIDs",
  formeremployeeids: "previousEmployeeIDs",
};

const PASSWORD_WORDS = new Set(["password", "passwd", "pwd", "pass", "katasandi", "sandi"]);

function normalize(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** True for `password`, `Password`, `initial_password`, `kata_sandi`…: keys that would put a secret in git. */
export function isPasswordField(name: string): boolean {
  const n = normalize(name);
  return PASSWORD_WORDS.has(n) || n.includes("password") || n.includes("katasandi");
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`emial`). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((d[(i - 1) * cols + j] ?? 0) + 1, (d[i * cols + j - 1] ?? 0) + 1, (d[(i - 1) * cols + j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (d[(i - 2) * cols + j - 2] ?? 0) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1] ?? 0;
}

/** The known name the writer most likely meant, or undefined when nothing is close. */
export function suggestField(name: string, known: readonly string[]): string | undefined {
  const n = normalize(name);
  if (n === "") return undefined;
  const exact = known.find((k) => normalize(k) === n);
  if (exact) return exact;
  const alias = ALIASES[n];
  if (alias && known.includes(alias)) return alias;
  // Short names are easily one edit from something unrelated; allow more slack for longer ones.
  const allowed = n.length <= 4 ? 1 : n.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const candidate = normalize(k);
    // The distance is at least the difference in length: a key of a megabyte is compared with nothing.
    if (Math.abs(candidate.length - n.length) > allowed) continue;
    const distance = editDistance(n, candidate);
    if (distance < bestDistance) {
      best = k;
      bestDistance = distance;
    }
  }
  return bestDistance <= allowed ? best : undefined;
}
