export declare const TEMPORAL_CLI_MODULE: string;
export declare function locateTemporalCli(): string | null;
export declare function ensureTemporalCli(log?: (line: string) => void): string;
