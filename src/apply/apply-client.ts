/** What apply needs of an API client: the real one is RuangkerjaClient; unit tests pass a fake. */
import type { RequestKind, SingleResult } from "../api/client.js";
import type { BulkResult, CreateUserBody, UpdateBulkItem, UpdateEmailItem, UpdateUserBody, UserView } from "../api/types.js";

export interface ApplyClient {
  /** Requests sent so far, by kind; a kind never sent may be absent. */
  readonly counts: Readonly<Partial<Record<RequestKind, number>>>;
  createBulk(items: CreateUserBody[]): Promise<BulkResult<CreateUserBody>>;
  updateBulk(items: UpdateBulkItem[]): Promise<BulkResult<UpdateBulkItem>>;
  updateUser(employeeID: string, body: UpdateUserBody): Promise<SingleResult>;
  /** Needed only by plans that change an e-mail. */
  updateEmailBulk?(items: UpdateEmailItem[]): Promise<BulkResult<UpdateEmailItem>>;
  /** GET by employeeID (undefined when unknown), to settle an ambiguous outcome (read-back.ts). */
  getUser(employeeID: string): Promise<UserView | undefined>;
}
