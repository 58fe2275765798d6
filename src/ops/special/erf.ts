// The error function to a few ulp, which JavaScript's Math lacks. GELU in float64 is compared
// with PyTorch to 1e-10, so the usual 1e-7 approximations are not enough.
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/** erfc(x) for x >= 2.5 by its continued fraction (modified Lentz): no cancellation. */
function erfcLarge(x: number): number {
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    d = x + an * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + an / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-17) break;
  }
  return (Math.exp(-x * x) * ONE_OVER_SQRT_PI) / f;
}

/** erf(x) for |x| < 2.5 by the series exp(-x^2) * sum 2^n x^(2n+1) / (2n+1)!!: all terms positive. */
function erfSmall(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax < 2.5) return erfSmall(x);
  if (ax > 6) return x > 0 ? 1 : -1;
  const r = 1 - erfcLarge(ax);
  return x > 0 ? r : -r;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x >= 2.5) return x > 27 ? 0 : erfcLarge(x);
  if (x <= -2.5) return 2 - (x < -6 ? 0 : erfcLarge(-x));
  return 1 - erfSmall(x);
}

/** Inverse error function: Giles' approximation refined by two Newton steps. */
export function erfinv(y: number): number {
  if (Number.isNaN(y) || y < -1 || y > 1) return Number.NaN;
  if (y === 1) return Number.POSITIVE_INFINITY;
  if (y === -1) return Number.NEGATIVE_INFINITY;
  let w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 6.25) {
    w -= 3.125;
    let p = -3.6444120640178196996e-21;
    for (const c of [-1.685059138182016589e-19, 1.2858480715256400167e-18, 1.115787767802518096e-17, -1.333171662854620906e-16, 2.0972767875968561637e-17, 6.6376381343583238325e-15, -4.0545662729752068639e-14, -8.1519341976054721522e-14, 2.6335093153082322977e-12, -1.2975133253453532498e-11, -5.4154120542946279317e-11, 1.051212273321532285e-09, -4.1126339803469836976e-09, -2.9070369957882005086e-08, 4.2347877827932403518e-07, -1.3654692000834678645e-06, -1.3882523362786468719e-05, 0.0001867342080340571352, -0.00074070253416626697512, -0.0060336708714301490533, 0.24015818242558961693, 1.6536545626831027356]) p = c + p * w;
    x = p * y;
  } else if (w < 16) {
    w = Math.sqrt(w) - 3.25;
    let p = 2.2137376921775787049e-09;
    for (const c of [9.0756561938885390979e-08, -2.7517406297064545428e-07, 1.8239629214389227755e-08, 1.5027403968909827627e-06, -4.013867526981545969e-06, 2.9234449089955446044e-06, 1.2475304481671778723e-05, -4.7318229009055733981e-05, 6.8284851459573175448e-05, 2.4031110387097893999e-05, -0.0003550375203628474796, 0.00095328937973738049703, -0.0016882755560235047313, 0.0024914420961078508066, -0.0037512085075692412107, 0.005370914553590063617, 1.0052589676941592334, 3.0838856104922207635]) p = c + p * w;
    x = p * y;
  } else {
    w = Math.sqrt(w) - 5;
    let p = -2.7109920616438573243e-11;
    for (const c of [-2.5556418169965252055e-10, 1.5076572693500548083e-09, -3.7894654401267369937e-09, 7.6157012080783393804e-09, -1.4960026627149240478e-08, 2.9147953450901080826e-08, -6.7711997758452339498e-08, 2.2900482228026654717e-07, -9.9298272942317002539e-07, 4.5260625972231537039e-06, -1.9681778105531670567e-05, 7.5995277030017761139e-05, -0.00021503011930044477347, -0.00013871931833623122026, 1.0103004648645343977, 4.8499064014085844221]) p = c + p * w;
    x = p * y;
  }
  for (let i = 0; i < 2; i++) x -= (erf(x) - y) / (TWO_OVER_SQRT_PI * Math.exp(-x * x));
  return x;
}
