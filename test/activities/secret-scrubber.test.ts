import { secretScrubber } from '../../activities/secret-scrubber';

test('the values of secret-named variables are replaced by their name, plain and JSON-escaped', () => {
  const scrub = secretScrubber({
    OPENAI_API_KEY: 'sk-abcdefgh',
    TFA_EVENTS_SECRET: 'wh"sec\\12345',
    DB_PASSWORD: 'hunter2hunter2',
    PATH: '/usr/bin:/bin',
  });
  expect(scrub('key sk-abcdefgh and pw hunter2hunter2')).toBe(
    'key [redacted OPENAI_API_KEY] and pw [redacted DB_PASSWORD]',
  );
  expect(scrub(JSON.stringify({ out: 'wh"sec\\12345' }))).toBe('{"out":"[redacted TFA_EVENTS_SECRET]"}');
  expect(scrub('/usr/bin:/bin')).toBe('/usr/bin:/bin');
});

test('short values are left alone, so a secret of "1" does not garble every number', () => {
  expect(secretScrubber({ FEATURE_TOKEN: '1' })('version 1.2.1')).toBe('version 1.2.1');
});

test('each key of a *_KEYS list (TFA_ENCRYPTION_KEYS) is replaced on its own', () => {
  const [first, second] = [
    'q2pV0m3wTzq0nS8p1bD6c1Y2u3XoAf0eJk9rL4sPzQE=',
    'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg=',
  ];
  const scrub = secretScrubber({ TFA_ENCRYPTION_KEYS: `k2:${first},k1:${second}` });
  expect(scrub(`env: ${second} and ${first}`)).toBe(
    'env: [redacted TFA_ENCRYPTION_KEYS] and [redacted TFA_ENCRYPTION_KEYS]',
  );
  expect(scrub('k1 and k2 are ids, not secrets')).toBe('k1 and k2 are ids, not secrets');
});
