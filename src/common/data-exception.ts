/**
 * The message of a PostgreSQL data exception (class 22: a NUL character in text, a number out of
 * range, an invalid date) or program-limit error (class 54), or null for any other error. These
 * are bad values that got past validation: retrying cannot help, so callers report them instead.
 */
export function dataExceptionMessage(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const driver = (error as { driverError?: { code?: unknown; message?: unknown } }).driverError;
  const code = driver?.code ?? (error as { code?: unknown }).code;
  if (typeof code !== 'string' || code.length !== 5 || !/^(22|54)/.test(code)) return null;
  if (typeof driver?.message === 'string') return driver.message;
  return error instanceof Error ? error.message : 'invalid value';
}
