import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fillTemplate, loadEventRoutes, parseEventRoutes } from '../../client/event-routes';

describe('fillTemplate', () => {
  it('fills fields and dotted paths; strings as they are, other values as JSON', () => {
    const body = { summary: 'p99 at 2 s', service: { name: 'checkout', replicas: 3 }, tags: ['a'] };
    expect(fillTemplate('{{summary}} on {{ service.name }} x{{service.replicas}} {{tags}}', body)).toEqual({
      message: 'p99 at 2 s on checkout x3 ["a"]',
    });
  });

  it('lists every missing or null field instead of filling blanks', () => {
    expect(fillTemplate('{{summary}} {{service.name}} {{summary}}', { service: null })).toEqual({
      missing: ['summary', 'service.name'],
    });
    expect(fillTemplate('{{length}}', 'a string body')).toEqual({ missing: ['length'] });
  });
});

describe('parseEventRoutes', () => {
  it('accepts the shipped config/events.json', () => {
    const routes = loadEventRoutes(undefined, path.resolve(__dirname, '../..'));
    expect(routes.error_spike_detected).toMatchObject({
      agent: 'deploybot',
      message: expect.stringContaining('{{summary}}'),
    });
  });

  it('refuses an unknown agent, a missing message and unknown keys, naming the event', () => {
    expect(() => parseEventRoutes({ spike: { agent: 'nobody', message: 'hi' } }, 'events.json')).toThrow(
      'event "spike" names unknown agent "nobody"',
    );
    expect(() => parseEventRoutes({ spike: { agent: 'deploybot' } }, 'events.json')).toThrow(
      /^Invalid event map events.json: spike.message: /,
    );
    expect(() => parseEventRoutes({ spike: { agent: 'deploybot', message: 'hi', agnet: 'x' } }, 'events.json')).toThrow(
      'agnet',
    );
  });
});

describe('loadEventRoutes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfa-events-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('treats a missing default file as no events, but a missing named file as an error', () => {
    expect(loadEventRoutes(undefined, dir)).toEqual({});
    expect(() => loadEventRoutes('nope.json', dir)).toThrow(/^TFA_EVENTS_CONFIG=nope.json: no such file/);
  });

  it('says when the file is not JSON', () => {
    fs.writeFileSync(path.join(dir, 'broken.json'), '{ "spike": ');
    expect(() => loadEventRoutes('broken.json', dir)).toThrow(/broken.json: not JSON/);
  });
});
