export declare function ensureComposeConfig(log?: (line: string) => void): string;
export declare function loadComposeProject(
  file: string,
  options?: { env?: Record<string, string>; projectName?: string; scale?: Record<string, number> },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- compose-go's normalized project: JSON of the whole Compose schema
): any;
