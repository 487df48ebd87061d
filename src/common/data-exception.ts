/**
 * PostgreSQL errors that mean a value from outside could not be stored or read as asked: a NUL
 * or an invalid byte in a text (22021, 22P05), a text or number too large (22001, 22003), a date
 * out of range or malformed (22008, 22007), text that is not the column's type (22P02), an
 * expression too deep (54001). Other class 22/54 errors (division by zero, a negative LIMIT…)
 * point at our own code and stay 500s.
 */
const INPUT_ERRORS = new Set(['22021', '22P05', '22001', '22003', '22008', '22007', '22P02', '54001']);

/** The database's message for such an error, or null for any other error. */
export function dataExceptionMessage(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const driver = (error as { driverError?: { code?: unknown; message?: unknown } }).driverError;
  const code = driver?.code ?? (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !INPUT_ERRORS.has(code)) return null;
  if (typeof driver?.message === 'string') return driver.message;
  return error instanceof Error ? error.message : 'invalid value';
}
