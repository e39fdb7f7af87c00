/**
 * The provider's log: hclog JSON lines on stderr, which go-plugin reads and Terraform writes to
 * its own log (TF_LOG / TF_LOG_PROVIDER, TF_LOG_PATH) under the provider's name. Quiet unless one
 * of those asks for it; never stdout (that carries the handshake line only). Callers log call
 * names, type names and counts, never values: a value may hold a person's data.
 */
const LEVELS = ["trace", "debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LEVELS)[number];

export interface Log {
  (level: LogLevel, message: string, fields?: Record<string, string | number | boolean>): void;
}

export function createLog(env: NodeJS.ProcessEnv, write: (line: string) => void = (line) => process.stderr.write(line)): Log {
  const setting = (env.TF_LOG_PROVIDER ?? env.TF_LOG ?? "").toLowerCase();
  const threshold = setting === "json" ? 0 : LEVELS.indexOf(setting as LogLevel);
  if (threshold < 0) return () => undefined;
  return (level, message, fields = {}) => {
    if (LEVELS.indexOf(level) < threshold) return;
    write(
      `${JSON.stringify({ "@level": level, "@message": message, "@module": "provider.ruangkerja", "@timestamp": new Date().toISOString(), ...fields })}\n`,
    );
  };
}
