import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { temporalSettings } from '../client/connect';
import { parseConfig, TfaConfig } from '../core/config';

const root = path.resolve(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

interface Service {
  image?: string;
  build?: string | { context?: string };
  environment?: Record<string, string | number | null>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[] | string };
  container_name?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml')) as ComposeFile;
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};
const environment = (name: string) => service(name).environment ?? {};
const dependsOn = (name: string) => {
  const deps = service(name).depends_on ?? [];
  return Array.isArray(deps) ? Object.fromEntries(deps.map((dep) => [dep, {}])) : deps;
};

/** What Compose substitutes when the host sets none of the variables: `${VAR:-default}` → default. */
function interpolateWithEmptyHost(value: string): string {
  return value.replace(/\$\$|\$\{(\w+)(?::?-([^}]*))?\}/g, (match, _name: string | undefined, fallback: string | undefined) =>
    match === '$$' ? '$' : (fallback ?? ''),
  );
}

/** A short-syntax volume (`source:target[:mode]`) as Compose reads it with no host variables set. */
function mount(volume: string): { source: string; target: string } {
  const [source = '', target = ''] = interpolateWithEmptyHost(volume).split(':');
  return { source, target };
}
const mountAt = (name: string, target: string) => (service(name).volumes ?? []).map(mount).find((volume) => volume.target === target);

/** Settings only the client (`npm run tfa`) reads; the worker has no use for them. */
/** Read by the CLI, `npm start` and the HTTP gateway, not by a worker. */
const CLIENT_ONLY_SETTINGS = ['TFA_WEB_UI_URL', 'TFA_DEPLOY_BRANCH', ...Object.keys(TfaConfig.shape).filter((name) => /^TFA_(GATEWAY|GITHUB|SLACK_SIGNING|EVENTS)_/.test(name))];
/** Settings the worker takes from the host's environment, as `npm start` does. */
const HOST_SETTINGS = ['TEMPORAL_NAMESPACE', 'TFA_TASK_QUEUE', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'TFA_MODEL'];

describe('docker-compose.yml', () => {
  test('runs PostgreSQL, Temporal, the Temporal UI and the worker', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'worker']));
  });

  test('keeps PostgreSQL data in a named volume and reports when the database is ready', () => {
    const postgresql = service('postgresql');
    expect(postgresql.image).toMatch(/^postgres:16\b/);
    const dataVolume = mountAt('postgresql', '/var/lib/postgresql/data');
    expect(dataVolume).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(dataVolume?.source);
    expect(postgresql.healthcheck?.test).toBeDefined();
  });

  test('starts Temporal on PostgreSQL once the database is healthy, on port 7233', () => {
    const temporal = service('temporal');
    expect(temporal.image).toBe('temporalio/auto-setup:1.29.1');
    expect(environment('temporal')).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(dependsOn('temporal').postgresql).toEqual({ condition: 'service_healthy' });
    expect(temporal.ports).toContain('7233:7233');
  });

  test("mounts the dynamic config file Temporal's DYNAMIC_CONFIG_FILE_PATH names", () => {
    const configPath = String(environment('temporal').DYNAMIC_CONFIG_FILE_PATH);
    const configMount = mountAt('temporal', '/etc/temporal/config/dynamicconfig');
    expect(configMount).toBeDefined();
    const hostDir = configMount!.source;
    // The image's working directory is /etc/temporal, so the path is relative to it.
    expect(configPath.startsWith('config/dynamicconfig/')).toBe(true);
    expect(fs.existsSync(path.join(root, hostDir, path.basename(configPath)))).toBe(true);
  });

  test('serves the Temporal UI for the temporal service at localhost:8233, as the dev server does', () => {
    expect(environment('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(service('temporal-ui').ports).toContain('8233:8080');
  });

  test('builds the worker from this repository and points it at the temporal service', () => {
    const { build } = service('worker');
    expect(typeof build === 'string' ? build : build?.context).toBe('.');
    expect(environment('worker').TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(Object.keys(dependsOn('worker'))).toContain('temporal');
  });

  test('gives the worker every setting of core/config.ts that a worker reads', () => {
    const settings = Object.keys(TfaConfig.shape);
    for (const name of CLIENT_ONLY_SETTINGS) expect(settings).toContain(name); // still a real setting
    const workerSettings = settings.filter((name) => !CLIENT_ONLY_SETTINGS.includes(name));
    expect(workerSettings).toEqual(
      expect.arrayContaining(['TFA_TASK_QUEUE', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'TFA_MODEL']),
    );
    expect(Object.keys(environment('worker'))).toEqual(expect.arrayContaining(workerSettings));
  });

  test('passes the model and queue settings through from the host environment', () => {
    const env = environment('worker');
    for (const name of HOST_SETTINGS) {
      expect(String(env[name])).toMatch(new RegExp(`^\\$\\{${name}(:-[^}]*)?\\}$`));
    }
  });

  test("gives the worker a valid configuration when the host sets none of the variables", () => {
    const env = Object.fromEntries(
      Object.entries(environment('worker')).map(([name, value]) => [name, interpolateWithEmptyHost(String(value ?? ''))]),
    );
    const config = parseConfig(env);
    expect(config).toMatchObject({ TFA_TASK_QUEUE: 'tfa' });
    expect(temporalSettings(env)).toMatchObject({ address: 'temporal:7233', namespace: 'default' });
    expect(config.OPENAI_API_KEY).toBeUndefined();
    expect(config.TFA_MODEL).toBeUndefined();
  });

  test('keeps DeployBot releases on a volume at /app/.data', () => {
    const data = mountAt('worker', '/app/.data');
    expect(data).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(data?.source);
  });

  test('mounts the git repository DeployBot deploys from where TFA_DEPLOY_REPO points, by default this one', () => {
    const repo = mountAt('worker', String(environment('worker').TFA_DEPLOY_REPO));
    expect(repo).toBeDefined();
    expect(path.resolve(root, repo!.source)).toBe(root);
  });

  test('lets the worker scale out: no fixed container name and no host port', () => {
    expect(service('worker').container_name).toBeUndefined();
    expect(service('worker').ports).toBeUndefined();
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const last = (keyword: string) => [...instructions].reverse().find((line) => line.toUpperCase().startsWith(`${keyword} `));

  test('runs worker/main.ts with tsx, and that file exists', () => {
    const cmd = JSON.parse(last('CMD')!.slice('CMD '.length)) as string[];
    expect(cmd).toEqual(['npx', 'tsx', 'worker/main.ts']);
    expect(fs.existsSync(path.join(root, 'worker/main.ts'))).toBe(true);
  });

  test('builds on Node 20 with git installed and dependencies from the lockfile', () => {
    expect(instructions[0]).toBe('FROM node:20-bookworm-slim');
    expect(dockerfile).toMatch(/apt-get install[^\n]*\bgit\b/);
    expect(dockerfile).toMatch(/\bnpm ci\b/);
    expect(dockerfile).toMatch(/COPY package\.json package-lock\.json/);
  });

  test('runs the worker as a non-root user', () => {
    const user = last('USER')?.slice('USER '.length);
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });
});

describe('.dockerignore', () => {
  test('keeps installed packages, local data, git history and secrets out of the image', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.data', '.git', '.env']));
  });
});
