import { parseConfig } from '../../core/config';
import { DEFAULT_TASK_QUEUE } from '../../core/constants';

describe('parseConfig', () => {
  it('fills every default from an empty environment', () => {
    expect(parseConfig({})).toEqual({
      TFA_TASK_QUEUE: DEFAULT_TASK_QUEUE,
      TFA_NOTIFY_CHANNEL: 'console',
      TFA_LOG_LEVEL: 'WARN',
      TFA_POLICY_FILE: 'config/policy.json',
      TFA_MODEL_TIMEOUT_MS: 60_000,
      TFA_DATA_DIR: '.data',
      TFA_DEPLOY_REPO: '.',
      TFA_DEPLOY_TEST_COMMAND: 'node scripts/check-release.cjs',
      TFA_DEPLOY_ENV_PASSTHROUGH: [],
      TFA_DEPLOY_BRANCH: 'main',
      TFA_WEB_UI_URL: 'http://localhost:8233',
      TFA_PRICES_FILE: 'config/prices.json',
      TFA_METRICS_HOST: '127.0.0.1',
    });
    expect(DEFAULT_TASK_QUEUE).toBe('tfa');
  });

  it('reads TFA_DEPLOY_ENV_PASSTHROUGH as a comma list of names', () => {
    expect(parseConfig({ TFA_DEPLOY_ENV_PASSTHROUGH: ' NODE_OPTIONS, CI ,,' }).TFA_DEPLOY_ENV_PASSTHROUGH).toEqual([
      'NODE_OPTIONS',
      'CI',
    ]);
  });

  it('leaves the model key, base URL and model unset by default', () => {
    const config = parseConfig({});
    expect(config.OPENAI_API_KEY).toBeUndefined();
    expect(config.OPENAI_BASE_URL).toBeUndefined();
    expect(config.TFA_MODEL).toBeUndefined();
  });

  it('keeps values that are set', () => {
    const config = parseConfig({
      TFA_TASK_QUEUE: 'deploys',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'http://localhost:11434/v1',
      TFA_MODEL: 'llama3.1',
      TFA_DATA_DIR: '/var/tfa',
    });
    expect(config).toMatchObject({
      TFA_TASK_QUEUE: 'deploys',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'http://localhost:11434/v1',
      TFA_MODEL: 'llama3.1',
      TFA_DATA_DIR: '/var/tfa',
    });
  });

  it('ignores variables it does not know', () => {
    expect(parseConfig({ PATH: '/usr/bin', HOME: '/root' })).not.toHaveProperty('PATH');
  });

  it('trims the API key and model, and treats blank ones as unset', () => {
    expect(parseConfig({ OPENAI_API_KEY: '  sk-test  ', TFA_MODEL: ' gpt-4o ' })).toMatchObject({
      OPENAI_API_KEY: 'sk-test',
      TFA_MODEL: 'gpt-4o',
    });
    const blank = parseConfig({ OPENAI_API_KEY: '   ', TFA_MODEL: '' });
    expect(blank.OPENAI_API_KEY).toBeUndefined();
    expect(blank.TFA_MODEL).toBeUndefined();
  });

  it('coerces TFA_MODEL_TIMEOUT_MS from text to a number', () => {
    expect(parseConfig({ TFA_MODEL_TIMEOUT_MS: '5000' }).TFA_MODEL_TIMEOUT_MS).toBe(5000);
    expect(parseConfig({ TFA_MODEL_TIMEOUT_MS: ' 1500 ' }).TFA_MODEL_TIMEOUT_MS).toBe(1500);
  });

  it.each(['abc', '0', '-1', '1.5'])('refuses TFA_MODEL_TIMEOUT_MS=%p with an error naming the variable', (value) => {
    expect(() => parseConfig({ TFA_MODEL_TIMEOUT_MS: value })).toThrow(
      /^Invalid configuration: TFA_MODEL_TIMEOUT_MS: /,
    );
  });

  it('refuses an invalid OPENAI_BASE_URL with an error naming the variable', () => {
    expect(() => parseConfig({ OPENAI_BASE_URL: 'not a url' })).toThrow(/^Invalid configuration: OPENAI_BASE_URL: /);
  });

  it('treats empty variables as unset, so their defaults apply', () => {
    const config = parseConfig({ TFA_TASK_QUEUE: '', TFA_MODEL_TIMEOUT_MS: '', OPENAI_BASE_URL: ' ' });
    expect(config).toMatchObject({ TFA_TASK_QUEUE: 'tfa', TFA_MODEL_TIMEOUT_MS: 60_000 });
    expect(config.OPENAI_BASE_URL).toBeUndefined();
  });

  it('names every bad variable in one error', () => {
    let message = '';
    try {
      parseConfig({ OPENAI_BASE_URL: 'nope', TFA_MODEL_TIMEOUT_MS: 'soon' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('OPENAI_BASE_URL: ');
    expect(message).toContain('TFA_MODEL_TIMEOUT_MS: ');
    expect(message.split('; ')).toHaveLength(2);
  });
});
