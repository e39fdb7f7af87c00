/** The state belongs to the API it was applied against: using it against another one is refused unless --allow-other-api says so. */
import { sameApi } from "../api/base-url.js";
import { OtherApiError } from "../errors.js";
import type { StateDocument } from "../state/state-document.js";

export function checkStateApi(state: StateDocument, apiOrigin: string, stateLocation: string, allowOtherApi: boolean): void {
  const recorded = state.apiOrigin;
  if (recorded === undefined || allowOtherApi || sameApi(recorded, apiOrigin)) return;
  throw new OtherApiError(
    `the state in ${stateLocation} was applied against ${recorded}, and this run talks to ${apiOrigin}; nothing was changed. ` +
      "Planned against another API, its users would be created again or the wrong people deactivated. Check RUANGKERJA_API_URL and --state; " +
      "if the users really moved to this API, pass --allow-other-api once (the state then records this API).",
  );
}
