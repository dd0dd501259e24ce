import type { LookupAddress } from 'node:dns';
import { isIPv6 } from 'node:net';
import { classifyAddress, destinationVerdict, ipLiteral, literalHostProblem } from '../../lambdas/domain/destination.js';
import { smtpTransportOptions } from '../../lambdas/mail/mailer.js';
import {
  OutboundError,
  outboundFailure,
  outboundPolicy,
  pinnedLookup,
  refusalAtWrite,
  type CheckedDestination,
  type ResolvedAddress,
  type Resolver,
} from '../../lambdas/net/outbound-policy.js';

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

/** A resolver that gives each answer in turn (the last one again once they run out) and counts its lookups. */
function scriptedResolver(...answers: (readonly ResolvedAddress[] | Error)[]): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = async (hostname: string) => {
    const answer = answers[Math.min(calls.length, answers.length - 1)]!;
    calls.push(hostname);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return Object.assign(resolver, { calls });
}

async function refusal(promise: Promise<unknown>): Promise<OutboundError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OutboundError) return error;
    throw error;
  }
  throw new Error('expected the destination to be refused');
}

describe('address classification', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.0', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['192.168.255.255', 'private'],
    ['169.254.0.1', 'link-local'],
    ['169.254.255.255', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['100.64.0.0', 'shared'],
    ['100.127.255.255', 'shared'],
    ['fc00::1', 'unique-local'],
    ['fdff:ffff::1', 'unique-local'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.255', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['2606:4700:4700::1111', 'public'],
  ])('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  it('puts the edges of each range on the right side', () => {
    expect(classifyAddress('9.255.255.255')).toBe('public');
    expect(classifyAddress('11.0.0.0')).toBe('public');
    expect(classifyAddress('172.15.255.255')).toBe('public');
    expect(classifyAddress('172.32.0.0')).toBe('public');
    expect(classifyAddress('192.167.255.255')).toBe('public');
    expect(classifyAddress('192.169.0.0')).toBe('public');
    expect(classifyAddress('100.63.255.255')).toBe('public');
    expect(classifyAddress('100.128.0.0')).toBe('public');
    expect(classifyAddress('169.253.255.255')).toBe('public');
    expect(classifyAddress('169.255.0.0')).toBe('public');
    expect(classifyAddress('126.255.255.255')).toBe('public');
    expect(classifyAddress('128.0.0.0')).toBe('public');
    expect(classifyAddress('223.255.255.255')).toBe('public');
    expect(classifyAddress('fbff:ffff::1')).toBe('public');
    expect(classifyAddress('fe00::1')).toBe('public');
    expect(classifyAddress('fec0::1')).toBe('unique-local');
    expect(classifyAddress('169.254.169.253')).toBe('link-local');
    expect(classifyAddress('fd00:ec2::253')).toBe('unique-local');
  });

  it('classifies an IPv4-mapped IPv6 address by the IPv4 address it carries, however it is written', () => {
    expect(classifyAddress('::ffff:127.0.0.1')).toBe('loopback');
    expect(classifyAddress('::ffff:7f00:1')).toBe('loopback');
    expect(classifyAddress('0:0:0:0:0:ffff:7f00:0001')).toBe('loopback');
    expect(classifyAddress('::ffff:10.1.2.3')).toBe('private');
    expect(classifyAddress('::ffff:a01:203')).toBe('private');
    expect(classifyAddress('::ffff:169.254.169.254')).toBe('metadata');
    expect(classifyAddress('::ffff:100.64.1.1')).toBe('shared');
    expect(classifyAddress('::ffff:0.0.0.0')).toBe('unspecified');
    expect(classifyAddress('::ffff:8.8.8.8')).toBe('public');
  });

  it('classifies a NAT64 address (64:ff9b::/96) by the IPv4 address it carries', () => {
    expect(classifyAddress('64:ff9b::10.0.0.1')).toBe('private');
    expect(classifyAddress('64:ff9b::a9fe:a9fe')).toBe('metadata');
    expect(classifyAddress('64:ff9b::7f00:1')).toBe('loopback');
    expect(classifyAddress('64:ff9b::808:808')).toBe('public');
  });

  it('refuses what is no address at all', () => {
    expect(classifyAddress('localhost')).toBe('reserved');
    expect(classifyAddress('')).toBe('reserved');
    expect(ipLiteral('[::1]')).toBe('::1');
    expect(ipLiteral('smtp.acme.example')).toBeUndefined();
    expect(ipLiteral('127.1')).toBeUndefined(); // a name to the URL-less spelling check; the lookup resolves it
  });
});

describe('the verdict on a destination', () => {
  it('allows loopback only where allowed, and every address must pass', () => {
    expect(destinationVerdict(['8.8.8.8', '2606:4700::1'], { allowLoopback: false })).toEqual({ allowed: true, loopback: false });
    expect(destinationVerdict(['127.0.0.1'], { allowLoopback: true })).toEqual({ allowed: true, loopback: true });
    expect(destinationVerdict(['127.0.0.1'], { allowLoopback: false })).toEqual({
      allowed: false,
      refused: 'loopback',
      reason: 'resolves to a loopback address',
    });
    expect(destinationVerdict(['8.8.8.8', '10.0.0.1'], { allowLoopback: true })).toMatchObject({
      allowed: false,
      refused: 'private',
      reason: 'resolves to a private address',
    });
    expect(destinationVerdict([], { allowLoopback: true })).toMatchObject({ allowed: false });
    // Allowing loopback allows nothing else that is internal.
    expect(destinationVerdict(['169.254.169.254'], { allowLoopback: true })).toMatchObject({ refused: 'metadata' });
  });

  it('says "is" of a literal and "resolves to" of a name, and names no address', () => {
    expect(literalHostProblem('[::1]', false)).toBe('is a loopback address');
    expect(literalHostProblem('127.0.0.1', true)).toBeUndefined();
    expect(literalHostProblem('smtp.acme.example', false)).toBeUndefined();
    const verdict = destinationVerdict(['192.168.7.7'], { allowLoopback: false });
    expect(JSON.stringify(verdict)).not.toContain('192.168');
  });
});

describe('the outbound policy', () => {
  it('resolves a name once and refuses it when it resolves to a private address', async () => {
    const resolver = scriptedResolver([v4('10.20.30.40')]);
    const policy = outboundPolicy({ allowLoopback: false, resolver });
    const error = await refusal(policy.resolve('hooks.acme.example'));
    expect(error).toMatchObject({ code: 'refused-destination', refused: 'private', message: 'resolves to a private address' });
    expect(resolver.calls).toEqual(['hooks.acme.example']);
    expect(outboundFailure(error)).toEqual({ code: 'refused-destination', refused: 'private' });
  });

  it('refuses mixed answers: one bad address among good ones is enough', async () => {
    for (const bad of ['169.254.169.254', '::ffff:192.168.1.1', 'fd12::1', '100.100.100.100']) {
      const policy = outboundPolicy({
        allowLoopback: false,
        resolver: scriptedResolver([v4('8.8.8.8'), { address: bad, family: isIPv6(bad) ? 6 : 4 }]),
      });
      await expect(policy.resolve('mixed.acme.example')).rejects.toMatchObject({ code: 'refused-destination' });
    }
  });

  it('refuses loopback unless the site allows it (the local stage)', async () => {
    const answer = [v4('127.0.0.1'), v6('::1')];
    await expect(
      outboundPolicy({ allowLoopback: false, resolver: scriptedResolver(answer) }).resolve('localhost'),
    ).rejects.toMatchObject({
      code: 'refused-destination',
      refused: 'loopback',
      message: 'resolves to a loopback address',
    });
    await expect(
      outboundPolicy({ allowLoopback: true, resolver: scriptedResolver(answer) }).resolve('localhost'),
    ).resolves.toEqual({
      host: 'localhost',
      addresses: answer,
      loopback: true,
    });
  });

  it('checks an IP literal without any lookup', async () => {
    const resolver = scriptedResolver([v4('8.8.8.8')]);
    const policy = outboundPolicy({ allowLoopback: false, resolver });
    await expect(policy.resolve('169.254.169.254')).rejects.toMatchObject({
      refused: 'metadata',
      message: 'is a cloud metadata address',
    });
    await expect(policy.resolve('::ffff:127.0.0.1')).rejects.toMatchObject({ refused: 'loopback' });
    await expect(policy.resolve('[fd00:ec2::254]')).rejects.toMatchObject({ refused: 'metadata' });
    await expect(policy.resolve('8.8.4.4')).resolves.toMatchObject({ addresses: [v4('8.8.4.4')] });
    expect(resolver.calls).toEqual([]);
  });

  it('reports a name that does not resolve, or not in time, by code', async () => {
    const missing = outboundPolicy({
      allowLoopback: false,
      resolver: scriptedResolver(Object.assign(new Error('x'), { code: 'ENOTFOUND' })),
    });
    await expect(missing.resolve('nowhere.example')).rejects.toMatchObject({ code: 'unresolvable' });
    const slow = outboundPolicy({ allowLoopback: false, lookupTimeoutMs: 20, resolver: () => new Promise(() => undefined) });
    await expect(slow.resolve('slow.example')).rejects.toMatchObject({ code: 'timeout' });
  });

  it('at write time refuses only what the policy refuses; a name that does not resolve yet is checked later', async () => {
    expect(
      await refusalAtWrite(outboundPolicy({ allowLoopback: false, resolver: scriptedResolver([v4('127.0.0.1')]) }), 'localhost'),
    ).toBe('resolves to a loopback address');
    expect(
      await refusalAtWrite(
        outboundPolicy({ allowLoopback: false, resolver: scriptedResolver(new Error('ENOTFOUND')) }),
        'x.example',
      ),
    ).toBeUndefined();
    expect(
      await refusalAtWrite(outboundPolicy({ allowLoopback: false, resolver: scriptedResolver([v4('8.8.8.8')]) }), 'x.example'),
    ).toBeUndefined();
  });

  it('maps a socket failure to a stable code, never its own', () => {
    expect(outboundFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }))).toEqual({
      code: 'unreachable',
    });
    expect(outboundFailure(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toEqual({ code: 'timeout' });
  });
});

describe('connecting to the address that was checked (DNS rebinding)', () => {
  const lookupOnce = (lookup: ReturnType<typeof pinnedLookup>, host: string, options: { all?: boolean; family?: number }) =>
    new Promise<{ error: Error | null; address: string | LookupAddress[]; family?: number }>((done) =>
      lookup(host, options, (error, address, family) => done({ error, address, family })),
    );

  it('asks DNS once; the socket is answered with the checked address, however DNS answers later', async () => {
    // First answer public, every later one the metadata service: a rebinding name.
    const resolver = scriptedResolver([v4('93.184.216.34')], [v4('169.254.169.254')]);
    const policy = outboundPolicy({ allowLoopback: false, resolver });
    const checked = await policy.resolve('rebind.acme.example');
    const lookup = pinnedLookup(checked);
    // What net/tls asks when connecting, once per attempt and with or without `all`: always the checked address.
    expect(await lookupOnce(lookup, 'rebind.acme.example', {})).toEqual({ error: null, address: '93.184.216.34', family: 4 });
    expect(await lookupOnce(lookup, 'rebind.acme.example', { all: true })).toEqual({
      error: null,
      address: [{ address: '93.184.216.34', family: 4 }],
      family: undefined,
    });
    expect(resolver.calls).toEqual(['rebind.acme.example']);
    // A second connection checks again, and now refuses.
    await expect(policy.resolve('rebind.acme.example')).rejects.toMatchObject({ refused: 'metadata' });
    expect(resolver.calls).toHaveLength(2);
  });

  it('answers no other host and no family it did not check', async () => {
    const checked: CheckedDestination = { host: 'a.example', addresses: [v4('8.8.8.8')], loopback: false };
    const lookup = pinnedLookup(checked);
    expect((await lookupOnce(lookup, 'b.example', {})).error).toBeInstanceOf(OutboundError);
    expect((await lookupOnce(lookup, 'a.example', { family: 6 })).error).toBeInstanceOf(OutboundError);
    expect((await lookupOnce(lookup, 'a.example', { family: 4 })).address).toBe('8.8.8.8');
  });
});

describe('SMTP through the policy', () => {
  const settings = { transport: 'smtp', host: 'smtp.acme.example', port: 587, secure: false, from: 'meet@acme.example' } as const;
  const timeouts = { connectMs: 1000, socketMs: 1000 };

  it('connects to the checked address, with the name kept for TLS', () => {
    const options = smtpTransportOptions(
      settings,
      undefined,
      { host: 'smtp.acme.example', addresses: [v4('203.0.114.7')], loopback: false },
      false,
      timeouts,
    );
    expect(options).toMatchObject({ host: '203.0.114.7', servername: 'smtp.acme.example', requireTLS: true, ignoreTLS: false });
  });

  it('drops TLS only to loopback where loopback is allowed (the local stage), never elsewhere', () => {
    const onLoopback: CheckedDestination = { host: 'localhost', addresses: [v4('127.0.0.1')], loopback: true };
    expect(smtpTransportOptions({ ...settings, host: 'localhost' }, undefined, onLoopback, true, timeouts)).toMatchObject({
      host: '127.0.0.1',
      requireTLS: false,
      ignoreTLS: true,
    });
    expect(smtpTransportOptions({ ...settings, host: 'localhost' }, undefined, onLoopback, false, timeouts)).toMatchObject({
      requireTLS: true,
      ignoreTLS: false,
    });
  });

  it('refuses a loopback SMTP host when loopback is not allowed (a deployed site), before connecting', async () => {
    const policy = outboundPolicy({ allowLoopback: false, resolver: scriptedResolver([v4('127.0.0.1')]) });
    await expect(policy.resolve('localhost')).rejects.toMatchObject({ code: 'refused-destination', refused: 'loopback' });
    await expect(policy.resolve('127.0.0.1')).rejects.toMatchObject({ code: 'refused-destination', refused: 'loopback' });
  });
});
