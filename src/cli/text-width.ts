// Text widths for vega's layout without a canvas. Headless, vega guesses 0.8 em per character,
// nearly twice a sans-serif's real width, so titles and legends get wide empty margins; these are
// Helvetica's advance widths (its AFM metrics, in 1/1000 em), which Arial shares.

// printable ASCII from the space (32) to the tilde (126)
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778,
  722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222,
  500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
// letters outside ASCII (σ, ∂, −, ′, ...) as an average lower-case letter
const OTHER = 580;
// bold Helvetica runs about 8% wider; a little slack covers fonts that substitute for Helvetica
const BOLD = 1.08;
const SLACK = 1.05;

/** The width in pixels of `text` at `fontSize`, bold or not. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    units += code >= 32 && code <= 126 ? HELVETICA[code - 32] : OTHER;
  }
  return (units / 1000) * fontSize * (bold ? BOLD : 1) * SLACK;
}

interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
  limit?: number;
}

/** vega's textMetrics.width, for a text mark's item and one line of its text. */
export function vegaTextWidth(item: TextItem, text: unknown): number {
  const fontSize = item.fontSize != null ? +item.fontSize || 0 : 11;
  const line = text == null ? "" : String(text).trim();
  const weight = item.fontWeight;
  const bold = weight === "bold" || (typeof weight === "number" && weight >= 600) || weight === "600" || weight === "700";
  return textWidth(line, fontSize, bold);
}
