// torch.set_printoptions: the settings tensor printing reads (torch/_tensor_str.py's PRINT_OPTS).

export interface PrintOptions {
  /** Digits after the decimal point (or of the mantissa in scientific notation). */
  precision: number;
  /** Element count above which a tensor is summarised with `...` (Infinity: never). */
  threshold: number;
  /** Items kept at each end of a summarised dimension. */
  edgeitems: number;
  /** Characters per line before elements wrap. */
  linewidth: number;
  /** true/false forces scientific notation on/off; null lets each tensor decide. */
  sciMode: boolean | null;
}

export type PrintProfile = "default" | "short" | "full";

export interface SetPrintOptions {
  precision?: number;
  threshold?: number;
  edgeitems?: number;
  linewidth?: number;
  profile?: PrintProfile;
  sciMode?: boolean | null;
}

const profiles: Record<PrintProfile, Omit<PrintOptions, "sciMode">> = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Number.POSITIVE_INFINITY, edgeitems: 3, linewidth: 80 },
};

const current: PrintOptions = { ...profiles.default, sciMode: null };

/**
 * As torch.set_printoptions: a profile first, then the explicit options over it. Like PyTorch,
 * every call sets sciMode, back to null (automatic) when the call does not name it.
 */
export function setPrintoptions(options: SetPrintOptions = {}): void {
  if (options.profile !== undefined) {
    // PyTorch ignores a profile it does not know; so does this.
    const profile = Object.hasOwn(profiles, options.profile) ? profiles[options.profile] : undefined;
    if (profile) Object.assign(current, profile);
  }
  if (options.precision !== undefined) current.precision = options.precision;
  if (options.threshold !== undefined) current.threshold = options.threshold;
  if (options.edgeitems !== undefined) current.edgeitems = options.edgeitems;
  if (options.linewidth !== undefined) current.linewidth = options.linewidth;
  current.sciMode = options.sciMode ?? null;
}

/** A copy of the settings in force. */
export function getPrintoptions(): PrintOptions {
  return { ...current };
}
