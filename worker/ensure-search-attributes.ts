import type { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_NAMES } from '../core/constants';
import { ConfigurationError } from '../core/errors';
import { shellQuote } from '../core/shell-quote';

const TFA_ATTRIBUTES = Object.values(SEARCH_ATTRIBUTE_NAMES);

/** The commands that create the attributes by hand: the Temporal CLI (self-hosted, dev server) and tcld (Temporal Cloud). */
export function searchAttributeCommands(namespace: string, names: readonly string[] = TFA_ATTRIBUTES): string[] {
  const ns = shellQuote(namespace);
  return [
    // One --type per --name: the CLI creates only as many attributes as it is given types.
    `temporal operator search-attribute create --namespace ${ns} ${names.map((name) => `--name ${name} --type Keyword`).join(' ')}`,
    `tcld namespace search-attributes add --namespace ${ns} ${names.map((name) => `--search-attribute ${name}=Keyword`).join(' ')}`,
  ];
}

function howToCreate(namespace: string, names: readonly string[]): string {
  const [cli, cloud] = searchAttributeCommands(namespace, names);
  return `Create them once (with an account that may), then start the worker again:\n  ${cli}\n  Temporal Cloud: ${cloud}`;
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/**
 * Registers TfaAgent/TfaStatus/TfaPendingRequest (Keyword) when the namespace lacks them. Without
 * them a run cannot publish its status and its workflow tasks fail until they exist. Where the
 * worker may not create them (Temporal Cloud, a restricted account), it throws a ConfigurationError
 * with the commands that do: a worker that only stalls runs is worse than one that says what to fix.
 * Where it may not even list them, it warns with the same commands and goes on (they may exist).
 */
export async function ensureSearchAttributes(
  connection: NativeConnection,
  namespace: string,
  warn: (text: string) => void = console.warn,
): Promise<string[]> {
  let customAttributes: Record<string, unknown> | null | undefined;
  try {
    ({ customAttributes } = await connection.operatorService.listSearchAttributes({ namespace }));
  } catch (error) {
    warn(
      `[tfa] could not check the search attributes of namespace "${namespace}" (${firstLine(error)}); ` +
        `runs need ${TFA_ATTRIBUTES.join(', ')} (Keyword). If they are missing, every run's workflow task fails until they exist. ` +
        howToCreate(namespace, TFA_ATTRIBUTES),
    );
    return [];
  }
  const missing = TFA_ATTRIBUTES.filter((name) => !customAttributes?.[name]);
  if (missing.length === 0) return [];
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, keyword])),
    });
  } catch (error) {
    throw new ConfigurationError(
      `namespace "${namespace}" lacks the search attributes ${missing.join(', ')} (Keyword) and this worker may not create them ` +
        `(${firstLine(error)}). Runs publish their status through them: without them every run's workflow task fails, ` +
        `so the worker stops here (nothing is lost; waiting runs go on once they exist). ${howToCreate(namespace, missing)}`,
    );
  }
  return missing;
}
