/**
 * fast-check arbitraries for hostile annotation values: the allow-listed alphabets plus every ASCII control and
 * punctuation character, Unicode look-alikes and invisible characters, percent-encodings (of `.`, `/`, `%`, NUL,
 * CR/LF, overlong UTF-8), published payloads, mutations of valid entries, and very long values.
 */
import fc from 'fast-check';
import { MULTI_PAYLOADS, SINGLE_PAYLOADS } from './payloads.js';

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));

/** Every ASCII control character (C0 and DEL). */
export const ASCII_CONTROLS: readonly string[] = [...range(0x00, 0x1f), '\u007f'];
/** Every ASCII punctuation character, and space. */
export const ASCII_PUNCTUATION: readonly string[] = [' ', ...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];
/** Characters the allow-lists accept somewhere (hosts, paths, ports). */
export const ALLOWED_CHARS: readonly string[] = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/:*%',
];
/** Unicode characters that look like, or vanish next to, allowed ones. */
export const LOOK_ALIKES: readonly string[] = [
  '\uFF0F',
  '\u2215',
  '\u2044',
  '\u29F8', // fullwidth solidus, division slash, fraction slash, big solidus
  '\uFF0E',
  '\u3002',
  '\uFF61',
  '\u2024', // fullwidth / ideographic / halfwidth full stop, one-dot leader
  '\u0131',
  '\u0130',
  '\u0430',
  '\u0435',
  '\u043E',
  '\u0440',
  '\u0455', // dotless i, dotted I, Cyrillic a e o p s
  '\u212A',
  '\u017F',
  '\u00DF',
  '\uFB00', // Kelvin sign, long s, sharp s, ff ligature (case mapping changes length)
  '\u200B',
  '\u200C',
  '\u200D',
  '\u2060',
  '\uFEFF', // zero-width space / non-joiner / joiner, word joiner, BOM
  '\u200E',
  '\u200F',
  '\u202A',
  '\u202E',
  '\u2066',
  '\u2069', // LRM, RLM, LRE, RLO, LRI, PDI
  '\u2028',
  '\u2029',
  '\u0085',
  '\u00A0',
  '\u3000',
  '\u1680', // LS, PS, NEL, NBSP, ideographic space, ogham space
  '\uFF1B',
  '\uFF5B',
  '\uFF5D',
  '\uFF03',
  '\uFF04', // fullwidth ; { } # $
  '\u00E9',
  '\u0301',
  '\u{1D41A}',
  '\u{1F600}',
  '\uD800',
  '\uDFFF', // é, combining acute, astral letter, emoji, lone surrogates
];
/** Percent-encodings of separators, traversal, NUL, CR/LF, overlong and invalid UTF-8, and valid non-ASCII text. */
export const ENCODINGS: readonly string[] = [
  '%2e',
  '%2E',
  '%2f',
  '%2F',
  '%25',
  '%00',
  '%0d',
  '%0a',
  '%0D%0A',
  '%5c',
  '%3b',
  '%7b',
  '%7d',
  '%23',
  '%24',
  '%20',
  '%c0%ae',
  '%c0%af',
  '%e0%80%ae',
  '%c1%9c',
  '%ff',
  '%fe',
  '%c3',
  '%ed%a0%80',
  '%f4%90%80%80',
  '%e2%80%ae',
  '%e2%80%a8',
  '%e2%80%8d',
  '%ef%bb%bf',
  '%c2%a0',
  '%c2%85',
  '%C3%A9',
  '%c3%a9',
  '%E2%82%AC',
  '%F0%9F%98%80',
  '%ef%bc%8f',
  '%d0%b0',
  '%',
  '%4',
  '%zz',
  '%%',
  '%2',
];
/** Every character the campaign draws from. */
export const HOSTILE_CHARS: readonly string[] = [
  ...ALLOWED_CHARS,
  ...ASCII_CONTROLS,
  ...ASCII_PUNCTUATION,
  ...LOOK_ALIKES,
];

const hostileChar = fc.constantFrom(...HOSTILE_CHARS);
const lowerLabelChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
const pathChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~');

/** A DNS label of the allow-list (lower case, inner hyphens). */
export const validLabel: fc.Arbitrary<string> = fc
  .tuple(
    lowerLabelChar,
    fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'), maxLength: 8 }),
    lowerLabelChar,
  )
  .map(([a, mid, b]) => `${a}${mid}${b}`);

/** A valid host: DNS name (sometimes upper-cased, sometimes `*.`), IPv4 literal, or one of the shared names. */
export const validHost: fc.Arbitrary<string> = fc.oneof(
  fc.array(validLabel, { minLength: 1, maxLength: 4 }).map((labels) => `${labels.join('.')}.example`),
  fc.array(validLabel, { minLength: 1, maxLength: 3 }).map((labels) => `*.${labels.join('.')}.example`),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((octets) => octets.join('.')),
  // Names of the valid pods (g0-g2, wildcards *.w0-*.w2), names under their wildcards, and other shared names.
  fc.constantFrom(
    'g0.example',
    'api.g1.example',
    'G2.EXAMPLE',
    '*.g1.example',
    '*.example',
    'x.w0.example',
    '*.x.w1.example',
    'W2.example',
    'a.b.w2.example',
    '*.w0.example',
    '10.9.1.1',
  ),
  fc.constantFrom(
    'shop.example.com',
    '*.example.com',
    '*.com',
    'Shop.Example.COM',
    'xn--80ak6aa92e.com',
    'localhost',
    '10.0.0.1',
  ),
);

/** A valid path: `/`, or segments of unreserved characters and escapes of non-ASCII text. */
export const validPath: fc.Arbitrary<string> = fc.oneof(
  fc.constant('/'),
  fc
    .array(
      fc.oneof(
        fc.string({ unit: pathChar, minLength: 1, maxLength: 8 }),
        fc.constantFrom('%C3%A9', 'caf%c3%a9', '%E2%82%AC', '...', 'a.b'),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((segments) => `/${segments.join('/')}`)
    .filter((p) => !p.split('/').some((s) => s === '.' || s === '..')),
  fc.constantFrom('/admin', '/api', '/nodejs/', '/caf%C3%A9'),
);

/** A valid `PORT:PATH` entry. */
export const validPathEntry: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 65535 }), validPath)
  .map(([p, path]) => `${p}:${path}`);

/** A valid entry with hostile characters or encodings spliced in at random places. */
const mutated = (base: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(
      base,
      fc.array(fc.tuple(fc.nat(), fc.oneof(hostileChar, fc.constantFrom(...ENCODINGS))), {
        minLength: 1,
        maxLength: 3,
      }),
    )
    .map(([value, inserts]) =>
      inserts.reduce(
        (text, [at, piece]) => text.slice(0, at % (text.length + 1)) + piece + text.slice(at % (text.length + 1)),
        value,
      ),
    );

const encodedPath = fc
  .array(
    fc.oneof(
      fc.constantFrom(...ENCODINGS),
      fc.string({ unit: pathChar, maxLength: 4 }),
      fc.constantFrom('/', '..', '.'),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => `/${parts.join('')}`);

const longValue = fc
  .tuple(fc.constantFrom('a', 'a.', '/a', '80:/a', 'x;', '\u00e9', ' ', '%2e'), fc.integer({ min: 200, max: 20_000 }))
  .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)));

const SINGLES = SINGLE_PAYLOADS.map((p) => p.entry);
const MULTIS = MULTI_PAYLOADS.map((p) => p.value);

/** One hostile fragment of an annotation value, leaning towards `valid` (hosts or path entries) for its annotation. */
const hostileFragment = (valid: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: valid },
    { weight: 2, arbitrary: validHost },
    { weight: 2, arbitrary: validPathEntry },
    { weight: 3, arbitrary: fc.constantFrom(...SINGLES) },
    { weight: 1, arbitrary: fc.constantFrom(...MULTIS) },
    { weight: 4, arbitrary: fc.string({ unit: hostileChar, maxLength: 40 }) },
    { weight: 3, arbitrary: mutated(validHost) },
    { weight: 3, arbitrary: mutated(validPathEntry) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.integer({ min: 1, max: 65535 }), encodedPath).map(([p, path]) => `${p}:${path}`),
    },
    { weight: 1, arbitrary: longValue },
  );

const separator = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(' ', '  ', '\t', '\n', '\r\n', ' \n ') },
  {
    weight: 3,
    arbitrary: fc.constantFrom('', '\r', ';', '}', '{', '#', '\u2028', '\u00a0', '\u000b', '\u000c', '\u0000'),
  },
);

const annotation = (valid: fc.Arbitrary<string>): fc.Arbitrary<string | null> =>
  fc.oneof(
    {
      weight: 40,
      arbitrary: fc
        .array(fc.tuple(hostileFragment(valid), separator), { minLength: 1, maxLength: 8 })
        .map((parts) => parts.map(([f, s]) => f + s).join('')),
    },
    { weight: 3, arbitrary: fc.constant(null) },
    // Rare: over the entry limit (costly to render, and one case shows the cut-off).
    {
      weight: 1,
      arbitrary: fc
        .array(fc.oneof(validHost, validPathEntry), { minLength: 101, maxLength: 110 })
        .map((entries) => entries.join(' ')),
    },
  );

/** A whole hostile hosts annotation: fragments (mostly hosts) joined by separators, or absent (null). */
export const hostileHosts: fc.Arbitrary<string | null> = annotation(validHost);
/** A whole hostile paths annotation: fragments (mostly `PORT:PATH`) joined by separators, or absent (null). */
export const hostilePaths: fc.Arbitrary<string | null> = annotation(validPathEntry);
