import { foundByDetector, foundInText } from '../testing/found-values';
import { ipv4Detector, ipv6Detector, isValidIpv4, isValidIpv6 } from './ip-address.detector';

describe(isValidIpv4.name, () => {
  it.each(['0.0.0.0', '192.168.1.10', '255.255.255.255', '10.0.0.1'])('should accept %s', (ip) => {
    expect(isValidIpv4(ip)).toBe(true);
  });

  it.each(['256.1.1.1', '1.2.3', '1.2.3.4.5', '1..2.3', '999.999.999.999'])('should reject %s', (ip) => {
    expect(isValidIpv4(ip)).toBe(false);
  });
});

describe(isValidIpv6.name, () => {
  it.each([
    '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
    '2001:db8::1',
    'fe80::1ff:fe23:4567:890a',
    '::ffff:192.0.2.1',
    '64:ff9b::192.0.2.33',
    '2001:db8:0:0:1::',
  ])('should accept %s', (ip) => {
    expect(isValidIpv6(ip)).toBe(true);
  });

  it.each(['12:30:45', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '2001::db8::1', '::', '::1', 'cafe::', 'gggg::1:2', '::ffff:300.1.1.1'])(
    'should reject %s',
    (ip) => {
      expect(isValidIpv6(ip)).toBe(false);
    },
  );
});

describe('ipv4Detector', () => {
  it('should find addresses, also with a port or at the end of a sentence', () => {
    expect(foundByDetector(ipv4Detector, 'from 192.168.1.10:8080 and 8.8.8.8.')).toEqual([
      ['IP_ADDRESS', '192.168.1.10'],
      ['IP_ADDRESS', '8.8.8.8'],
    ]);
  });

  it.each(['version 1.2.3', 'v10.4.12', '1.2.3.4.5', '300.1.1.1', 'price 1.299.99'])('should find nothing in %j', (text) => {
    expect(foundByDetector(ipv4Detector, text)).toEqual([]);
  });
});

describe('ipv6Detector', () => {
  it('should find full and compressed addresses', () => {
    expect(foundByDetector(ipv6Detector, 'client 2001:db8::8a2e:370:7334 via fe80::1ff:fe23:4567:890a')).toEqual([
      ['IP_ADDRESS', '2001:db8::8a2e:370:7334'],
      ['IP_ADDRESS', 'fe80::1ff:fe23:4567:890a'],
    ]);
  });

  it.each(['at 12:30:45 today', 'ratio 1:2:3', 'std::vector<int>', 'Face::render', 'https://example.com'])(
    'should find nothing in %j',
    (text) => {
      expect(foundByDetector(ipv6Detector, text)).toEqual([]);
    },
  );

  it('should find a full address with an IPv4 tail', () => {
    expect(foundByDetector(ipv6Detector, 'at 0:0:0:0:0:ffff:192.0.2.1 now')).toEqual([['IP_ADDRESS', '0:0:0:0:0:ffff:192.0.2.1']]);
  });

  it('should report an IPv4-mapped address once', () => {
    expect(foundInText('from ::ffff:192.0.2.1 now')).toEqual([['IP_ADDRESS', '::ffff:192.0.2.1']]);
  });
});
