/** `emulator`: the RuangKerja API emulator as a foreground server; first stdout line is its base URL. */
import { EmulatorStartError, type RunningEmulator, startEmulator } from "../../emulator/index.js";
import { ConfigError } from "../../errors.js";
import { EXIT_OK } from "../exit-codes.js";
import { type FaultFlags, faultSettings } from "../fault-flags.js";
import type { Environment } from "../options.js";
import type { Output } from "../output.js";

export interface EmulatorFlags extends FaultFlags {
  readonly port: number;
  readonly host: string;
  readonly token?: string;
  readonly data?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly tokenLifetime?: number;
}

export async function runEmulator(flags: EmulatorFlags, env: Environment, output: Output): Promise<number> {
  // An empty --token is refused by the emulator rather than replaced by the default.
  const token = flags.token ?? (env.RUANGKERJA_EMULATOR_TOKEN || undefined);
  const clientID = flags.clientId ?? (env.RUANGKERJA_EMULATOR_CLIENT_ID || undefined);
  const clientSecret = flags.clientSecret ?? (env.RUANGKERJA_EMULATOR_CLIENT_SECRET || undefined);
  const faults = faultSettings(flags);
  // Listening for the signals before the URL is printed: a supervisor may stop it as soon as it reads the URL.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({
      host: flags.host,
      port: flags.port,
      ...(token !== undefined ? { token } : {}),
      ...(flags.data ? { dataFile: flags.data } : {}),
      ...(clientID !== undefined ? { clientID } : {}),
      ...(clientSecret !== undefined ? { clientSecret } : {}),
      ...(flags.tokenLifetime !== undefined ? { tokenLifetimeSeconds: flags.tokenLifetime } : {}),
      faults,
    });
  } catch (error) {
    if (error instanceof EmulatorStartError) throw new ConfigError(error.message, { cause: error });
    throw error;
  }
  output.out(emulator.url);
  if (Object.keys(faults).length > 0) output.err(`Injecting faults: ${JSON.stringify(faults)} (GET/PUT ${emulator.url}/_emulator/faults).`);
  output.err(
    `RuangKerja emulator listening on ${emulator.url} (token ${token ? "as given" : '"emulator-token"'}, client credentials ${clientID || clientSecret ? "as given" : '"emulator-client" / "emulator-secret"'}${flags.data ? `, data in ${flags.data}` : ", data in memory"}). Ctrl-C stops it.`,
  );
  await stopped;
  await emulator.close();
  return EXIT_OK;
}
