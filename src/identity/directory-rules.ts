// Shapes of directory entries, shared by the admin API and the seed file. Group and user ids end up
// in BPMN candidate lists (comma-separated) and in `u:`/`g:` inbox keys, so they carry no whitespace
// or commas; emails go into mail headers, so they carry no line breaks.

export const USER_ID_PATTERN = /^[^\s,]{1,255}$/;
export const GROUP_ID_PATTERN = /^[^\s,]{1,128}$/;
export const EMAIL_PATTERN = /^[^\s@<>()",;:\\]+@[^\s@<>()",;:\\]+\.[^\s@<>()",;:\\]+$/;
export const MAX_NAME_LENGTH = 255;
export const MAX_EMAIL_LENGTH = 320;

export function userIdProblem(id: unknown): string | null {
  return typeof id === 'string' && USER_ID_PATTERN.test(id) ? null : 'a user id is 1-255 characters without spaces or commas';
}

export function groupIdProblem(id: unknown): string | null {
  return typeof id === 'string' && GROUP_ID_PATTERN.test(id) ? null : 'a group id is 1-128 characters without spaces or commas';
}

export function emailProblem(email: unknown): string | null {
  return typeof email === 'string' && email.length <= MAX_EMAIL_LENGTH && EMAIL_PATTERN.test(email) ? null : 'not a valid email address';
}

export function nameProblem(name: unknown): string | null {
  return typeof name === 'string' && name.trim() !== '' && name.length <= MAX_NAME_LENGTH && !/[\r\n]/.test(name) ? null : `a name is 1-${MAX_NAME_LENGTH} characters on one line`;
}
