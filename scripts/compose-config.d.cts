export declare function ensureComposeConfig(log?: (line: string) => void): string;
export declare function loadComposeProject(
  file: string,
  options?: { env?: Record<string, string>; projectName?: string; scale?: Record<string, number> },
): any;
