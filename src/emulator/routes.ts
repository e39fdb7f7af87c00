/**
 * Method + path → which endpoint. Kept apart from the server so the route table reads in one
 * place and can be tested without a socket.
 */

/** The /ruangkerja endpoints and /oauth/token, named as the stats count them. */
export type ApiRoute = "create" | "create-bulk" | "update" | "update-bulk" | "list" | "get" | "update-email-bulk" | "token";
export const API_ROUTES: readonly ApiRoute[] = [
  "create",
  "create-bulk",
  "update",
  "update-bulk",
  "list",
  "get",
  "update-email-bulk",
  "token",
];

export type AdminRoute = "stats" | "reset" | "users" | "faults" | "set-faults";

export type RouteMatch =
  | { readonly kind: "api"; readonly route: ApiRoute; readonly employeeID?: string }
  | { readonly kind: "admin"; readonly route: AdminRoute }
  | { readonly kind: "method-not-allowed"; readonly allow: readonly string[] }
  | { readonly kind: "not-found" };

type Methods<R> = Readonly<Record<string, R>>;

const USERS = "/ruangkerja/users";

const FIXED_API: Readonly<Record<string, Methods<ApiRoute>>> = {
  [USERS]: { GET: "list", POST: "create" },
  [`${USERS}/create-bulk`]: { POST: "create-bulk" },
  [`${USERS}/update-bulk`]: { POST: "update-bulk" },
  [`${USERS}/update-email-bulk`]: { POST: "update-email-bulk" },
  // Outside /ruangkerja, so no token is asked for: this is where one is obtained.
  "/oauth/token": { POST: "token" },
};

const ONE_USER: Methods<ApiRoute> = { GET: "get", PUT: "update" };

const ADMIN: Readonly<Record<string, Methods<AdminRoute>>> = {
  "/_emulator/stats": { GET: "stats" },
  "/_emulator/reset": { POST: "reset" },
  "/_emulator/users": { GET: "users" },
  "/_emulator/faults": { GET: "faults", PUT: "set-faults" },
};

/** True for every path the token guards, known or not, so an unknown /ruangkerja path reveals nothing without it. */
export function isApiPath(pathname: string): boolean {
  return pathname === "/ruangkerja" || pathname.startsWith("/ruangkerja/");
}

/** `pathname` as URL gives it (still percent-encoded). */
export function matchRoute(method: string, pathname: string): RouteMatch {
  const admin = ADMIN[pathname];
  if (admin) return pick(admin, method, (route) => ({ kind: "admin", route }));
  const fixed = FIXED_API[pathname];
  if (fixed) return pick(fixed, method, (route) => ({ kind: "api", route }));
  if (pathname.startsWith(`${USERS}/`)) {
    const segment = pathname.slice(USERS.length + 1);
    if (segment !== "" && !segment.includes("/")) {
      let employeeID: string;
      try {
        employeeID = decodeURIComponent(segment);
      } catch {
        return { kind: "not-found" };
      }
      return pick(ONE_USER, method, (route) => ({ kind: "api", route, employeeID }));
    }
  }
  return { kind: "not-found" };
}

function pick<R>(methods: Methods<R>, method: string, found: (route: R) => RouteMatch): RouteMatch {
  const route = Object.hasOwn(methods, method) ? methods[method] : undefined;
  return route === undefined ? { kind: "method-not-allowed", allow: Object.keys(methods) } : found(route);
}
