// Prints a development token for the configured secret:
//   npm run -s token -- --user alice --roles accounting,modeler [--email a@x] [--name "Alice"] [--expires 12h]
// Only the token goes to stdout, so `TOKEN=$(npm run -s token -- --user alice)` works.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { DEFAULT_DEV_TOKEN_EXPIRY, signDevToken } from '../src/identity/dev-token.js';

const USAGE = `usage: npm run token -- --user <id> [--roles a,b] [--email <address>] [--name <name>] [--expires <span, default ${DEFAULT_DEV_TOKEN_EXPIRY}>]`;

function fail(message: string, exitCode = 2): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(exitCode);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        user: { type: 'string' },
        roles: { type: 'string' },
        email: { type: 'string' },
        name: { type: 'string' },
        expires: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(`token: ${(error as Error).message}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const user = typeof values.user === 'string' ? values.user.trim() : '';
  if (user === '') fail('token: --user is required');

  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 1);
    throw error;
  }

  const roles = typeof values.roles === 'string' ? values.roles.split(',').map((r) => r.trim()).filter((r) => r !== '') : [];
  let token: string;
  try {
    token = await signDevToken(
      {
        user,
        roles,
        ...(typeof values.email === 'string' ? { email: values.email } : {}),
        ...(typeof values.name === 'string' ? { name: values.name } : {}),
        expiresIn: typeof values.expires === 'string' ? values.expires : DEFAULT_DEV_TOKEN_EXPIRY,
      },
      config.auth.jwtSecret,
    );
  } catch (error) {
    // jose refuses an unreadable time span with a TypeError naming the format.
    fail(`token: invalid --expires "${String(values.expires)}" (${(error as Error).message}); use e.g. 30m, 12h, 7d`);
  }
  if (config.auth.usingDevSecret) {
    process.stderr.write('note: AUTH_JWT_SECRET is not set; signed with the development secret.\n');
  }
  process.stdout.write(`${token}\n`);
}

await main();
