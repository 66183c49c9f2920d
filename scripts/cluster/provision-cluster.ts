// What a Temporal cluster on this machine needs, found or installed once: Temporal's server and
// SQL tool (built from the Go module into ~/.cache/tfa) and PostgreSQL's binaries (Debian's, as
// root). `node scripts/provision.cjs --cluster` runs this before `npm test`, `npm run cluster` and
// `npm run test:cluster`, so no test's timeout pays for the build.
import { ensurePostgres } from './postgres';
import { ensureTemporalServer } from './temporal-server-build';

async function main(): Promise<void> {
  const build = await ensureTemporalServer();
  const postgres = await ensurePostgres();
  console.error(`[tfa] Temporal server ${build.server}, PostgreSQL ${postgres}`);
}

main().catch((error: unknown) => {
  console.error(`[tfa] cluster provisioning failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
