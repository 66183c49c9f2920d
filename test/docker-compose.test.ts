import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { temporalSettings } from '../client/connect';
import { gatewayAddress } from '../client/gateway/start-gateway';
import { parseConfig } from '../core/config';
import { loadComposeProject } from '../scripts/compose-config.cjs';
import { TEMPORAL_SERVER_VERSION } from '../scripts/cluster/temporal-server-build';

// docker-compose.yml as Compose itself reads it: compose-go (the loader of `docker compose`)
// interpolates, fills defaults and resolves paths; the assertions are on that model.

const root = path.resolve(__dirname, '..');
const composeFile = path.join(root, 'docker-compose.yml');

interface Service {
  image?: string;
  build?: { context: string };
  command?: string[] | null;
  entrypoint?: string[] | null;
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  ports?: Array<{ host_ip?: string; target: number; published?: string }>;
  volumes?: Array<{ type: string; source: string; target: string; read_only?: boolean }>;
  healthcheck?: { test?: string[] };
  container_name?: string;
  scale?: number;
}
interface Project {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** The project with only `env` set on the host (no .env file), scaled as `docker compose up --scale`. */
const load = (env: Record<string, string> = {}, scale: Record<string, number> = {}): Project =>
  loadComposeProject(composeFile, { env, scale });
const project = load();
const service = (name: string, from: Project = project): Service => {
  const found = from.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};
const environment = (name: string, from: Project = project): Record<string, string> =>
  Object.fromEntries(Object.entries(service(name, from).environment ?? {}).map(([key, value]) => [key, value ?? '']));
const mountAt = (name: string, target: string) => service(name).volumes?.find((volume) => volume.target === target);
const imageTag = (image: string) => /^[^:]+:(.+)$/.exec(image)?.[1];

describe('docker-compose.yml, loaded by compose-go', () => {
  test("runs Temporal's own layout (PostgreSQL, schema job, server, namespace job, Web UI) and tfa's worker and gateway", () => {
    expect(Object.keys(project.services).sort()).toEqual(
      [
        'gateway',
        'postgresql',
        'temporal',
        'temporal-create-namespace',
        'temporal-schema',
        'temporal-ui',
        'worker',
      ].sort(),
    );
    expect(service('temporal').image).toMatch(/^temporalio\/server:/);
    for (const job of ['temporal-schema', 'temporal-create-namespace'])
      expect(service(job).image).toMatch(/^temporalio\/admin-tools:/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
  });

  test('pins every image to a release, and Temporal to the server version npm run test:cluster runs', () => {
    const images = Object.values(project.services).flatMap((entry) => (entry.image ? [entry.image] : []));
    for (const image of images) expect(imageTag(image)).toMatch(/^\d+(\.\d+)*$/);
    const temporalImages = images.filter((image) => /^temporalio\/(server|admin-tools):/.test(image));
    expect(new Set(temporalImages.map(imageTag))).toEqual(new Set([TEMPORAL_SERVER_VERSION.replace(/^v/, '')]));
  });

  test('starts each service when the one it depends on is ready: database healthy, schema done, server healthy, namespace done', () => {
    const conditions = Object.fromEntries(
      Object.entries(project.services).map(([name, entry]) => [
        name,
        Object.fromEntries(Object.entries(entry.depends_on ?? {}).map(([on, { condition }]) => [on, condition])),
      ]),
    );
    expect(conditions).toEqual({
      postgresql: {},
      'temporal-schema': { postgresql: 'service_healthy' },
      temporal: { 'temporal-schema': 'service_completed_successfully' },
      'temporal-create-namespace': { temporal: 'service_healthy' },
      'temporal-ui': { temporal: 'service_healthy' },
      worker: { 'temporal-create-namespace': 'service_completed_successfully' },
      gateway: { 'temporal-create-namespace': 'service_completed_successfully' },
    });
  });

  test('gives every long-running service a health check', () => {
    for (const name of ['postgresql', 'temporal', 'worker', 'gateway'])
      expect(service(name).healthcheck?.test?.length).toBeGreaterThan(0);
  });

  test('runs the schema and namespace jobs from the scripts npm run cluster runs for real', () => {
    for (const job of ['temporal-schema', 'temporal-create-namespace']) {
      const script = service(job).entrypoint!.at(-1)!;
      const mounted = mountAt(job, script);
      expect(mounted?.read_only).toBe(true);
      expect(path.dirname(mounted!.source)).toBe(path.join(root, 'deploy/temporal'));
      expect(fs.existsSync(mounted!.source)).toBe(true);
    }
  });

  test("mounts the dynamic config file the server's DYNAMIC_CONFIG_FILE_PATH names", () => {
    // The server image's working directory is /etc/temporal, so the path is relative to it.
    const configPath = path.posix.join('/etc/temporal', environment('temporal').DYNAMIC_CONFIG_FILE_PATH!);
    const directory = mountAt('temporal', path.posix.dirname(configPath));
    expect(fs.existsSync(path.join(directory!.source, path.posix.basename(configPath)))).toBe(true);
  });

  test('publishes Temporal, the Web UI and the gateway on 127.0.0.1 only, unless TFA_BIND_ADDRESS says otherwise', () => {
    const published = (from: Project) => Object.values(from.services).flatMap((entry) => entry.ports ?? []);
    expect(
      published(project)
        .map((port) => port.target)
        .sort(),
    ).toEqual([7233, 8080, 8787]);
    for (const port of published(project)) expect(port.host_ip).toBe('127.0.0.1');
    for (const port of published(load({ TFA_BIND_ADDRESS: '0.0.0.0' }))) expect(port.host_ip).toBe('0.0.0.0');
  });

  test('mounts the policy file read-only where the worker and the gateway read it, and points elsewhere with TFA_POLICY_FILE_HOST', () => {
    for (const name of ['worker', 'gateway']) {
      const policyPath = path.posix.resolve('/app', parseConfig(environment(name)).TFA_POLICY_FILE);
      const policy = mountAt(name, policyPath) as { bind?: { create_host_path?: boolean } } | undefined;
      expect(policy).toMatchObject({ type: 'bind', source: path.join(root, 'config/policy.json'), read_only: true });
      expect(policy?.bind?.create_host_path).not.toBe(true); // a missing file stops `up` instead of becoming an empty directory
    }
    const custom = load({ TFA_POLICY_FILE_HOST: '/etc/tfa/policy.json' });
    expect(service('worker', custom).volumes).toContainEqual(
      expect.objectContaining({ source: '/etc/tfa/policy.json' }),
    );
  });

  test('scales the worker: --scale worker=3 loads, with no fixed container name or published port, and every replica on one release store', () => {
    const scaled = load({}, { worker: 3 });
    const worker = service('worker', scaled);
    expect(worker.scale).toBe(3);
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports ?? []).toEqual([]);
    const dataDir = path.posix.resolve('/app', parseConfig(environment('worker', scaled)).TFA_DATA_DIR);
    const store = worker.volumes?.find((volume) => volume.target === dataDir);
    expect(store?.type).toBe('volume');
    expect(Object.keys(scaled.volumes ?? {})).toContain(store?.source);
  });

  test('builds the worker and the gateway from this repository, the gateway running scripts/gateway.ts', () => {
    for (const name of ['worker', 'gateway']) expect(service(name).build?.context).toBe(root);
    const script = service('gateway').command!.find((part) => part.endsWith('.ts'))!;
    expect(fs.existsSync(path.join(root, script))).toBe(true);
  });

  test('gives the worker a valid configuration for the temporal service when the host sets none of the variables', () => {
    const env = environment('worker');
    expect(parseConfig(env)).toMatchObject({ TFA_TASK_QUEUE: 'tfa', TFA_DEPLOY_REPO: '/repo' });
    expect(temporalSettings(env)).toMatchObject({ address: 'temporal:7233', namespace: 'default' });
    expect(mountAt('worker', '/repo')).toMatchObject({ source: root, read_only: true });
  });

  test("passes Temporal's client variables through, so the worker and the gateway reach Temporal Cloud with an API key", () => {
    const cloud = load({
      TEMPORAL_ADDRESS: 'acme.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'acme.a1b2c',
      TEMPORAL_API_KEY: 'key-from-cloud',
    });
    for (const name of ['worker', 'gateway']) {
      const settings = temporalSettings(environment(name, cloud));
      expect(settings).toMatchObject({
        address: 'acme.a1b2c.tmprl.cloud:7233',
        namespace: 'acme.a1b2c',
        connection: { apiKey: 'key-from-cloud' },
      });
    }
  });

  test('exposes the gateway only with a token: inside its container it binds every interface', () => {
    expect(() => gatewayAddress(parseConfig(environment('gateway')))).toThrow(/TFA_GATEWAY_TOKEN/);
    const withToken = environment('gateway', load({ TFA_GATEWAY_TOKEN: 'a-token-of-32-characters-or-more' }));
    expect(gatewayAddress(parseConfig(withToken))).toMatchObject({ host: '0.0.0.0', unauthenticated: false });
  });
});

const composeV1 = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
const v1Available = composeV1.status === 0 && composeV1.stdout.startsWith('1.');

// Compose v1 (Debian's docker-compose 1.29) rejects a top-level `name:`; the file leaves it out.
(v1Available ? test : test.skip)('Compose v1 (docker-compose 1.29, when installed) accepts the file too', () => {
  expect(() =>
    execFileSync('docker-compose', ['-f', composeFile, 'config', '-q'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '' },
      stdio: 'pipe',
    }),
  ).not.toThrow();
});

describe('Dockerfile', () => {
  const instructions = fs
    .readFileSync(path.join(root, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const all = (keyword: string) =>
    instructions
      .filter((line) => line.toUpperCase().startsWith(`${keyword} `))
      .map((line) => line.slice(keyword.length + 1));

  test('builds on Node 22 LTS with git, and dependencies from the lockfile', () => {
    expect(all('FROM')).toEqual([expect.stringMatching(/^node:22-/)]);
    expect(all('RUN').join('\n')).toMatch(/apt-get install[^\n]*\bgit\b/);
    expect(all('RUN').join('\n')).toMatch(/\bnpm ci\b/);
  });

  test('bundles the workflows at build time into the file TFA_WORKFLOW_BUNDLE names', () => {
    const bundled = all('RUN')
      .map((line) => /scripts\/bundle-workflows\.ts (\S+)/.exec(line)?.[1])
      .find(Boolean);
    const workdir = all('WORKDIR').at(-1)!;
    expect(all('ENV')).toContain(`TFA_WORKFLOW_BUNDLE=${path.posix.join(workdir, bundled!)}`);
  });

  test('runs worker/main.ts as a non-root user', () => {
    const cmd = JSON.parse(all('CMD').at(-1)!) as string[];
    expect(cmd.at(-1)).toBe('worker/main.ts');
    expect(fs.existsSync(path.join(root, cmd.at(-1)!))).toBe(true);
    expect(['root', '0']).not.toContain(all('USER').at(-1));
  });
});

describe('.dockerignore', () => {
  test('keeps installed packages, local data, host-built bundles, git history and secrets out of the image', () => {
    const ignored = fs
      .readFileSync(path.join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.data', 'dist', '.git', '.env']));
  });
});
