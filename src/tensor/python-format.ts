// Python's float formatting ("{:.Nf}", "{:.Ne}") reproduced exactly.
//
// JavaScript's toFixed/toExponential break exact ties away from zero (0.03125.toFixed(4) is
// "0.0313") where Python rounds the exact binary value half to even ("0.0312"), drop the sign of
// negative zero, and switch toFixed to exponent notation from 1e21. So the digits are made here
// from the double's exact decimal expansion, with BigInt.

const scratch = new DataView(new ArrayBuffer(8));
const bigPow10: bigint[] = [];

function pow10(n: number): bigint {
  let p = bigPow10[n];
  if (p === undefined) p = bigPow10[n] = 10n ** BigInt(n);
  return p;
}

/** |x| as digits / 10**scale exactly, for a finite x. */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  scratch.setFloat64(0, x);
  const hi = scratch.getUint32(0);
  const lo = scratch.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exponent: number;
  if (biased === 0) exponent = -1074;
  else {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  if (mantissa === 0n) return { digits: 0n, scale: 0 };
  while ((mantissa & 1n) === 0n && exponent < 0) {
    mantissa >>= 1n;
    exponent++;
  }
  if (exponent >= 0) return { digits: mantissa << BigInt(exponent), scale: 0 };
  // m / 2^k = m * 5^k / 10^k
  return { digits: mantissa * 5n ** BigInt(-exponent), scale: -exponent };
}

function divideHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d;
  const twice = 2n * (n % d);
  return twice > d || (twice === d && (q & 1n) === 1n) ? q + 1n : q;
}

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  return null;
}

function signOf(x: number): string {
  return x < 0 || Object.is(x, -0) ? "-" : "";
}

/** Python's format(x, f".{precision}f"). */
export function formatFixed(x: number, precision: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  const { digits, scale } = exactDecimal(Math.abs(x));
  const scaled =
    scale <= precision ? digits * pow10(precision - scale) : divideHalfEven(digits, pow10(scale - precision));
  let text = scaled.toString();
  if (precision > 0) {
    text = text.padStart(precision + 1, "0");
    text = `${text.slice(0, text.length - precision)}.${text.slice(text.length - precision)}`;
  }
  return signOf(x) + text;
}

/** Python's format(x, f".{precision}e"). */
export function formatExponential(x: number, precision: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  const { digits, scale } = exactDecimal(Math.abs(x));
  let significand: string;
  let exponent = 0;
  if (digits === 0n) {
    significand = "0".repeat(precision + 1);
  } else {
    const length = digits.toString().length;
    exponent = length - 1 - scale;
    let rounded: bigint;
    if (length > precision + 1) {
      rounded = divideHalfEven(digits, pow10(length - precision - 1));
      if (rounded === pow10(precision + 1)) {
        // 9.99995 -> 10.0000: one more digit than asked; it is a power of ten, so drop a zero
        rounded /= 10n;
        exponent++;
      }
    } else {
      rounded = digits * pow10(precision + 1 - length);
    }
    significand = rounded.toString();
  }
  const mantissa = precision > 0 ? `${significand[0]}.${significand.slice(1)}` : significand;
  const exponentText = `${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  return `${signOf(x)}${mantissa}e${exponentText}`;
}
