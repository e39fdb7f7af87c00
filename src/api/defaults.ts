/** Defaults of the API settings, apart from the client so that reading options does not load it (and ky). */

export const DEFAULT_API_URL = "https://api.ruangkerja.id";
