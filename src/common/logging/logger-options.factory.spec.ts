import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { prettyLogTransport, REDACTED_PATHS } from './logger-options.factory.js';

describe('log redaction', () => {
  it('never writes credentials, cookies or Stripe signatures', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    logger.info({
      req: { headers: { authorization: 'Bearer eyJ.secret.jwt', cookie: 'session=abc', 'stripe-signature': 't=1,v1=abc' } },
      res: { headers: { 'set-cookie': 'session=abc' } },
      config: { password: 'hunter2', secret: 'whsec_x', token: 'tok', apiKey: 'sk_live_x' },
    });
    const output = lines.join('');
    for (const secret of ['eyJ.secret.jwt', 'session=abc', 't=1,v1=abc', 'hunter2', 'whsec_x', 'sk_live_x', '"tok"']) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain('[redacted]');
  });
});

describe('prettyLogTransport', () => {
  it('uses pino-pretty on a terminal outside production', () => {
    expect(prettyLogTransport(false, true)?.target).toBe('pino-pretty');
  });

  it('keeps JSON when piped or in production', () => {
    expect(prettyLogTransport(false, false)).toBeUndefined();
    expect(prettyLogTransport(true, true)).toBeUndefined();
    expect(prettyLogTransport(true, false)).toBeUndefined();
  });
});
